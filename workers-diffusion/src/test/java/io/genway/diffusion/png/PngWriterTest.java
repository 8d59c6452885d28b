package io.genway.diffusion.png;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngWriterTest {

    @Test
    void writesADecodablePngWhosePixelsAreTheImages() throws Exception {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 4, 0x123456);

        BufferedImage back = ImageIO.read(new ByteArrayInputStream(PngWriter.write(image, new LinkedHashMap<>())));

        assertThat(back.getWidth()).isEqualTo(8);
        assertThat(back.getRGB(3, 4) & 0xFFFFFF).isEqualTo(0x123456);
        assertThat(back.getRGB(0, 0) & 0xFFFFFF).isZero();
    }

    @Test
    void textChunksReadBackInTheirOrder() throws Exception {
        SequencedMap<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "a red circle");
        text.put("seed", "42");
        text.put("sampler", "synthetic");

        byte[] png = PngWriter.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), text);

        assertThat(PngText.read(png)).containsExactly(
                java.util.Map.entry("prompt", "a red circle"), java.util.Map.entry("seed", "42"), java.util.Map.entry("sampler", "synthetic"));
    }

    @Test
    void keepsTextThatIsNotLatin1IntactInAnInternationalChunk() throws Exception {
        SequencedMap<String, String> text = new LinkedHashMap<>();
        text.put("prompt", "赤い円 🔴");

        byte[] png = PngWriter.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), text);

        assertThat(PngText.read(png)).containsEntry("prompt", "赤い円 🔴");
    }

    @Test
    void rejectsAKeywordPngCannotHold() {
        SequencedMap<String, String> text = new LinkedHashMap<>();
        text.put(" leading space", "x");

        assertThatThrownBy(() -> PngWriter.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keyword");
    }
}
