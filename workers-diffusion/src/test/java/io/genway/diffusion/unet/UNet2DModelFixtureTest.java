package io.genway.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DFixture;
import io.genway.diffusion.nn.FeatureMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UNet2DModel forward pass against diffusers' own output, as shared/reference/unet2d-fixture.md records it. */
class UNet2DModelFixtureTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    /** The reference document, or a skip (printed) when ../shared is not beside the project. */
    private static String reference() throws IOException {
        String shared = System.getProperty("genway.shared.dir", System.getenv("GENWAY_SHARED_DIR"));
        Path doc = shared == null ? null : Path.of(shared, "reference", "unet2d-fixture.md");
        boolean present = doc != null && Files.isRegularFile(doc);
        if (!present) System.out.println("SKIPPED (needs ../shared): reference/unet2d-fixture.md is missing");
        assumeTrue(present, "shared reference/unet2d-fixture.md is missing");
        return Files.readString(doc);
    }

    /** The numbers after {@code label} on its line: "label = a, b, c". */
    private static double[] numbers(String doc, String label) {
        Matcher line = Pattern.compile(Pattern.quote(label) + "\\s*=\\s*([-0-9., ]+)").matcher(doc);
        assertThat(line.find()).as("reference line for %s", label).isTrue();
        return Arrays.stream(line.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }

    private FeatureMap output() throws IOException {
        UNet2DModel model = UNet2DModel.load(DiffusersFolder.open(UNet2DFixture.write(dir)));
        return model.predict(new FeatureMap(1, 3, 16, 16, UNet2DFixture.input()), 10f);
    }

    @Test
    void matchesDiffusersSumOfAbsoluteOutputs() throws IOException {
        String doc = reference();
        float[] y = output().data();

        assertThat(y).hasSize(3 * 16 * 16);
        double absolute = 0;
        double plain = 0;
        for (float v : y) {
            absolute += Math.abs(v);
            plain += v;
        }
        assertThat(absolute).isCloseTo(numbers(doc, "sum of |y|")[0], within(TOLERANCE * 100));
        assertThat(plain).isCloseTo(numbers(doc, "(sum of y")[0], within(TOLERANCE * 10));
    }

    @Test
    void matchesDiffusersListedElements() throws IOException {
        String doc = reference();
        FeatureMap y = output();

        double[] first = numbers(doc, "y[0,0,0,0..3]");
        double[] last = numbers(doc, "y[0,2,15,12..15]");
        for (int i = 0; i < 4; i++) {
            assertThat((double) y.get(0, 0, 0, i)).as("y[0,0,0,%d]", i).isCloseTo(first[i], within(TOLERANCE));
            assertThat((double) y.get(0, 2, 15, 12 + i)).as("y[0,2,15,%d]", 12 + i)
                    .isCloseTo(last[i], within(TOLERANCE));
        }
    }

    @Test
    void projectsTheTimestepCosineHalfFirst() throws IOException {
        String doc = reference();
        UNet2DModel model = UNet2DModel.load(DiffusersFolder.open(UNet2DFixture.write(dir)));

        float[] projection = model.timeProjection(10f);
        double[] head = numbers(doc, "time_proj(10)[0..3]");
        double[] middle = numbers(doc, "[16..19]");
        for (int i = 0; i < 4; i++) {
            assertThat((double) projection[i]).isCloseTo(head[i], within(1e-6));
            assertThat((double) projection[16 + i]).isCloseTo(middle[i], within(1e-6));
        }
    }
}
