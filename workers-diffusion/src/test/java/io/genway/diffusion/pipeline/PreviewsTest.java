package io.genway.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genway.diffusion.model.SchedulerConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Previews come from the sampler's estimate of the clean sample. With a model that predicts the clean sample itself
 * ({@code prediction_type: sample}) and always says the same thing, that estimate is known exactly at every step, so
 * the expected preview follows from the published mapping alone.
 */
class PreviewsTest {
    @TempDir Path dir;

    /** DDIM on a model that predicts x0: DDIM's estimate is then the model's output, unclipped. */
    private SchedulerConfig predictsSample() throws IOException {
        return SchedulerConfig.read(Files.writeString(dir.resolve("scheduler_config.json"), """
                {"_class_name": "DDIMScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                 "beta_end": 0.012, "num_train_timesteps": 1000, "clip_sample": false, "set_alpha_to_one": false,
                 "steps_offset": 1, "prediction_type": "sample"}
                """));
    }

    /** Predicts the same value per channel everywhere, whatever it is given. */
    private record ConstantDenoiser(float... perChannel) implements Denoiser {
        @Override
        public int channels() {
            return perChannel.length;
        }

        @Override
        public float[] predict(float[] sample, int rows, int height, int width, float[] timesteps, float[] context, int tokens) {
            int plane = height * width;
            float[] out = new float[rows * perChannel.length * plane];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < perChannel.length; c++) {
                    java.util.Arrays.fill(out, (r * perChannel.length + c) * plane, (r * perChannel.length + c + 1) * plane, perChannel[c]);
                }
            }
            return out;
        }
    }

    /** A VAE stand-in of Stable Diffusion's shape whose decoder counts its calls: previews must not use it. */
    private static final class CountingVae implements LatentDecoder {
        final AtomicInteger decodes = new AtomicInteger();

        @Override
        public int scaleFactor() {
            return 8;
        }

        @Override
        public float[] decode(float[] sample, int channels, int height, int width) {
            decodes.incrementAndGet();
            return new float[3 * height * 8 * width * 8];
        }
    }

    private static Map<Integer, BufferedImage> previews(TextToImage pipeline, ImageRequest request) {
        Map<Integer, BufferedImage> seen = new TreeMap<>();
        pipeline.render(List.of(request), new TextToImage.Listener() {
            @Override
            public boolean cancelled(int index) {
                return false;
            }

            @Override
            public void stepDone(int index, int step, int of, BufferedImage preview) {
                if (preview != null) seen.put(step, preview);
            }
        });
        return seen;
    }

    /** diffusers' image processor: round(clamp(x / 2 + 0.5, 0, 1) * 255), half to even. */
    private static int pixel(double x) {
        return (int) Math.rint(Math.clamp(x / 2 + 0.5, 0, 1) * 255);
    }

    private static void assertEveryPixel(BufferedImage image, int r, int g, int b) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                assertThat(new int[] {rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF}).as("pixel (%d, %d)", x, y)
                        .containsExactly(r, g, b);
            }
        }
    }

    @Test
    void aPixelModelsPreviewIsItsCleanSampleEstimate() throws IOException {
        TextToImage pipeline = new TextToImage(new TestParts.ConstantEncoder(Map.of()),
                new ConstantDenoiser(0.5f, -0.5f, 0f), LatentDecoder.PIXELS, predictsSample());
        Map<Integer, BufferedImage> previews = previews(pipeline,
                new ImageRequest("a", "", 3, 6, Sampler.DDIM, 1, 16, 8, 2));

        assertThat(previews).containsOnlyKeys(2, 4); // round(6/3), round(12/3)
        for (BufferedImage preview : previews.values()) {
            assertThat(preview.getWidth()).isEqualTo(16);
            assertThat(preview.getHeight()).isEqualTo(8);
            assertEveryPixel(preview, pixel(0.5), pixel(-0.5), pixel(0));
        }
    }

    @Test
    void aLatentModelsPreviewMapsItsLatentEstimateLinearlyWithoutTheVae() throws IOException {
        CountingVae vae = new CountingVae();
        TextToImage pipeline = new TextToImage(new TestParts.ConstantEncoder(Map.of()),
                new ConstantDenoiser(1f, 0f, 0f, -1f), vae, predictsSample());
        Map<Integer, BufferedImage> previews = previews(pipeline,
                new ImageRequest("a", "", 3, 4, Sampler.DDIM, 1, 32, 16, 1));

        assertThat(previews).containsOnlyKeys(2);
        BufferedImage preview = previews.get(2);
        assertThat(preview.getWidth()).as("latent width").isEqualTo(4);
        assertThat(preview.getHeight()).as("latent height").isEqualTo(2);
        // keturn's SD v1.4 factors, rows L1 and L4: latent (1, 0, 0, -1) is L1 - L4.
        assertEveryPixel(preview, pixel(0.298 + 0.184), pixel(0.207 + 0.271), pixel(0.208 + 0.473));
        assertThat(vae.decodes).as("only the finished image is decoded").hasValue(1);
    }

    @Test
    void makesNoPreviewUnlessAsked() throws IOException {
        TextToImage pipeline = new TextToImage(new TestParts.ConstantEncoder(Map.of()),
                new ConstantDenoiser(0.1f, 0.2f, 0.3f), LatentDecoder.PIXELS, predictsSample());
        assertThat(previews(pipeline, new ImageRequest("a", "", 3, 6, Sampler.DDIM, 1, 16, 8))).isEmpty();
    }

    @Test
    void shrinksByAveragingWholeBlocks() {
        // (3, 2, 3) shrunk by 2: blocks of columns {0, 1} and {2}.
        float[] rgb = {
                1, 3, 5,
                3, 5, 7,
                0, 0, 0,
                0, 0, 0,
                -1, -1, 2,
                -1, -1, 4,
        };
        assertThat(TextToImage.shrink(rgb, 2, 3, 2)).containsExactly(new float[] {3, 6, 0, 0, -1, 3}, within(1e-6f));
    }
}
