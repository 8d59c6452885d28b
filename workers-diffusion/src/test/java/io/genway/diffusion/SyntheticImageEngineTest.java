package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.png.PngText;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.ImageInput;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SyntheticImageEngineTest {
    private static final String RED_ON_BLUE = "a red circle on a blue background";

    private final SyntheticImageEngine engine = new SyntheticImageEngine(List.of("sd"), 2, Duration.ZERO);

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void samePromptAndSeedGiveByteIdenticalPngs() throws Exception {
        byte[] first = run(request(RED_ON_BLUE, 7, 1, 64, 64, 4)).images.get(0);
        byte[] second = run(request(RED_ON_BLUE, 7, 1, 64, 64, 4)).images.get(0);

        assertThat(first).isEqualTo(second);
    }

    @Test
    void differentSeedsGiveDifferentPngs() throws Exception {
        byte[] seven = run(request(RED_ON_BLUE, 7, 1, 64, 64, 4)).images.get(0);
        byte[] eight = run(request(RED_ON_BLUE, 8, 1, 64, 64, 4)).images.get(0);

        assertThat(seven).isNotEqualTo(eight);
    }

    @Test
    void eachImageOfARequestTakesTheNextSeed() throws Exception {
        ImageOutput pair = run(request(RED_ON_BLUE, 7, 2, 64, 64, 2));
        byte[] alone = run(request(RED_ON_BLUE, 8, 1, 64, 64, 2)).images.get(0);

        assertThat(pixels(pair.images.get(1))).isEqualTo(pixels(alone));
        assertThat(PngText.read(pair.images.get(1))).containsEntry("seed", "8");
    }

    @Test
    void aRedCircleOnABlueBackgroundIsRedInTheCentreAndBlueAtTheCorners() throws Exception {
        for (long seed = 0; seed < 20; seed++) {
            BufferedImage image = decode(run(request(RED_ON_BLUE, seed, 1, 64, 64, 2)).images.get(0));

            assertThat(meanColour(image, 24, 24, 16)).as("centre, seed %d", seed).satisfies(SyntheticImageEngineTest::isRed);
            for (int[] corner : new int[][] {{0, 0}, {56, 0}, {0, 56}, {56, 56}}) {
                assertThat(meanColour(image, corner[0], corner[1], 8)).as("corner, seed %d", seed).satisfies(SyntheticImageEngineTest::isBlue);
            }
        }
    }

    @Test
    void reportsProgressOncePerStepInOrder() throws Exception {
        ImageOutput output = run(request(RED_ON_BLUE, 1, 2, 64, 64, 12));

        assertThat(output.steps).isEqualTo(IntStream.rangeClosed(1, 12).boxed().toList());
        assertThat(output.totals).containsOnly(12);
    }

    @Test
    void sendsTheAskedPreviewsSpreadOverTheStepsAsSmallPngs() throws Exception {
        var request = new GenerationRequest("img", RequestKind.IMAGE, true, "images", "sd", null,
                new ImageInput(RED_ON_BLUE, null, 1, 64, 128, 8, 7, 3), 5, 0, 0, "", false, null, 0);

        ImageOutput output = run(request);

        assertThat(output.steps).isEqualTo(IntStream.rangeClosed(1, 8).boxed().toList());
        assertThat(output.previews).containsOnlyKeys(2, 4, 6); // round(k * 8 / 4)
        for (byte[] png : output.previews.values()) {
            BufferedImage preview = decode(png);
            assertThat(preview).as("a decodable PNG").isNotNull();
            assertThat(preview.getWidth()).isEqualTo(8);
            assertThat(preview.getHeight()).isEqualTo(16);
        }
        assertThat(output.images).containsOnlyKeys(0);
    }

    @Test
    void sendsNoPreviewUnlessAsked() throws Exception {
        assertThat(run(request(RED_ON_BLUE, 1, 1, 64, 64, 6)).previews).isEmpty();
    }

    @Test
    void completesWithOnePngPerImageCountedAsUsage() throws Exception {
        var request = request(RED_ON_BLUE, 1, 3, 32, 48, 2);
        ImageOutput output = new ImageOutput();

        Outcome outcome = engine.run(request, output, new CancelToken()).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(new Outcome(FinishReason.STOP, new Usage(0, 3)));
        assertThat(output.images).hasSize(3);
        BufferedImage image = decode(output.images.get(2));
        assertThat(image.getWidth()).isEqualTo(32);
        assertThat(image.getHeight()).isEqualTo(48);
    }

    @Test
    void writesThePromptSeedAndSettingsAsTextChunks() throws Exception {
        var request = new GenerationRequest("img", RequestKind.IMAGE, true, "images", "sd", null,
                new ImageInput(RED_ON_BLUE, "green", 1, 64, 64, 3, 7.5), 99, 0, 0, "", false, null, 0);

        byte[] png = run(request).images.get(0);

        assertThat(PngText.read(png)).containsExactly(
                Map.entry("prompt", RED_ON_BLUE), Map.entry("negative_prompt", "green"), Map.entry("seed", "99"),
                Map.entry("steps", "3"), Map.entry("sampler", "synthetic"), Map.entry("guidance", "7.5"), Map.entry("model", "sd"));
    }

    @Test
    void cancellingStopsBeforeTheRemainingSteps() throws Exception {
        CancelToken cancel = new CancelToken();
        ImageOutput output = new ImageOutput(step -> {
            if (step == 3) cancel.cancel("client asked");
        });

        Outcome outcome = engine.run(request(RED_ON_BLUE, 1, 1, 64, 64, 10), output, cancel).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(Outcome.cancelled());
        assertThat(output.steps).containsExactly(1, 2, 3);
        assertThat(output.images).isEmpty();
    }

    @Test
    void refusesTextRequests() {
        var text = new GenerationRequest("t", RequestKind.CHAT, false, "images", "sd",
                new TextInput(List.of(new ChatMessage("user", "hi")), null, new SamplingParams(4, 1, 1, 0, 0, null)), null,
                1, 0, 0, "", false, null, 0);

        assertThatThrownBy(() -> engine.run(text, new ImageOutput(), new CancelToken()).get())
                .cause()
                .isInstanceOf(EngineException.Fatal.class);
    }

    private ImageOutput run(GenerationRequest request) throws Exception {
        ImageOutput output = new ImageOutput();
        engine.run(request, output, new CancelToken()).get(10, TimeUnit.SECONDS);
        return output;
    }

    static GenerationRequest request(String prompt, long seed, int n, int width, int height, int steps) {
        return new GenerationRequest("img-" + seed, RequestKind.IMAGE, true, "images", "sd", null,
                new ImageInput(prompt, null, n, width, height, steps, 7), seed, 0, 0, "", false, null, 0);
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    private static int[] pixels(byte[] png) throws IOException {
        BufferedImage image = decode(png);
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** Mean (r, g, b) of the {@code side} x {@code side} block at (x, y). */
    private static double[] meanColour(BufferedImage image, int x, int y, int side) {
        double[] sum = new double[3];
        for (int j = y; j < y + side; j++) {
            for (int i = x; i < x + side; i++) {
                int rgb = image.getRGB(i, j);
                sum[0] += rgb >> 16 & 0xFF;
                sum[1] += rgb >> 8 & 0xFF;
                sum[2] += rgb & 0xFF;
            }
        }
        for (int c = 0; c < 3; c++) sum[c] /= side * side;
        return sum;
    }

    private static void isRed(double[] rgb) {
        assertThat(rgb[0]).isGreaterThan(180);
        assertThat(rgb[1]).isLessThan(60);
        assertThat(rgb[2]).isLessThan(60);
    }

    private static void isBlue(double[] rgb) {
        assertThat(rgb[2]).isGreaterThan(180);
        assertThat(rgb[0]).isLessThan(60);
        assertThat(rgb[1]).isLessThan(90);
    }
}
