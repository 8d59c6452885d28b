package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SyntheticPictureTest {
    private final SyntheticPicture picture = SyntheticPicture.of("a red circle on a blue background", "", 3);

    @Test
    void movesFromNoiseToTheTargetInProportionToTheStep() {
        BufferedImage target = picture.frame(64, 64, 1);

        double atStart = meanDistance(picture.frame(64, 64, 0), target);
        double halfway = meanDistance(picture.frame(64, 64, 0.5), target);

        assertThat(atStart).isGreaterThan(50);
        assertThat(halfway).isCloseTo(atStart / 2, within(2.0));
    }

    @Test
    void drawsTheSameNoiseForTheSameSeed() {
        int[] once = rgb(picture.frame(32, 32, 0.25));
        int[] again = rgb(SyntheticPicture.of("a red circle on a blue background", "", 3).frame(32, 32, 0.25));

        assertThat(once).isEqualTo(again);
    }

    /** Mean absolute difference per channel, in 0..255 levels. */
    private static double meanDistance(BufferedImage a, BufferedImage b) {
        int[] x = rgb(a);
        int[] y = rgb(b);
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) sum += Math.abs((x[i] >> shift & 0xFF) - (y[i] >> shift & 0xFF));
        }
        return sum / (x.length * 3.0);
    }

    private static int[] rgb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
