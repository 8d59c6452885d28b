package io.genway.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.model.SchedulerConfig;
import io.genway.diffusion.random.TorchGenerator;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextToImageTest {
    private static final int SIZE = 16;

    @TempDir Path dir;
    private SchedulerConfig schedule;

    @BeforeEach
    void schedule() {
        schedule = TestParts.stableDiffusionSchedule(dir);
    }

    @Test
    void guidanceMovesFromTheNegativePredictionTowardThePromptsByTheScale() {
        // guided at 3: the negative prompt's rows see context 0.1, the prompt's 0.2
        TextToImage guided = pipeline(new TestParts.ConstantEncoder(Map.of("cat", 0.2f, "", 0.1f)), new TestParts.LinearDenoiser());
        // unguided, with a denoiser that makes by hand what guidance should make of the same two predictions
        TestParts.LinearDenoiser byHand = new TestParts.LinearDenoiser() {
            @Override
            public synchronized float[] predict(float[] sample, int rows, int height, int width, float[] timesteps,
                                                float[] context, int tokens) {
                float[] negativeContext = new float[context.length];
                Arrays.fill(negativeContext, 0.1f);
                float[] uncond = super.predict(sample, rows, height, width, timesteps, negativeContext, tokens);
                float[] cond = super.predict(sample, rows, height, width, timesteps, context, tokens);
                float[] out = new float[cond.length];
                for (int i = 0; i < out.length; i++) out[i] = uncond[i] + 3f * (cond[i] - uncond[i]);
                return out;
            }
        };
        TextToImage unguided = pipeline(new TestParts.ConstantEncoder(Map.of("cat", 0.2f)), byHand);

        int[] withGuidance = pixels(only(guided.render(List.of(request("cat", 5, Sampler.DDIM, 3)), TextToImage.Listener.NONE)));
        int[] computed = pixels(only(unguided.render(List.of(request("cat", 5, Sampler.DDIM, 1)), TextToImage.Listener.NONE)));
        int[] promptOnly = pixels(only(guided.render(List.of(request("cat", 5, Sampler.DDIM, 1)), TextToImage.Listener.NONE)));
        assertThat(Arrays.stream(computed).distinct().count()).as("distinct pixels").isGreaterThan(50);
        assertThat(withGuidance).containsExactly(computed).isNotEqualTo(promptOnly);
    }

    @Test
    void guidedRequestsSendUnconditionalRowsFirstThenEveryConditionalRow() {
        TestParts.LinearDenoiser denoiser = new TestParts.LinearDenoiser();
        TextToImage pipeline = pipeline(new TestParts.ConstantEncoder(Map.of("a", 1f, "b", 2f, "c", 3f, "", 9f)), denoiser);
        pipeline.render(List.of(request("a", 1, Sampler.DDIM, 5), request("b", 2, Sampler.DDIM, 1), request("c", 3, Sampler.DDIM, 5)),
                TextToImage.Listener.NONE);
        assertThat(denoiser.rows).containsOnly(5);
        float[] context = denoiser.contexts.getFirst();
        int rowSize = TestParts.TOKENS * TestParts.WIDTH;
        float[] firstValues = new float[5];
        for (int r = 0; r < 5; r++) firstValues[r] = context[r * rowSize];
        assertThat(firstValues).containsExactly(9f, 9f, 1f, 2f, 3f);
    }

    @Test
    void guidanceOfOneOrLessDenoisesThePromptAlone() {
        TestParts.LinearDenoiser denoiser = new TestParts.LinearDenoiser();
        pipeline(new TestParts.ConstantEncoder(Map.of()), denoiser).render(List.of(request("a cat", 1, Sampler.DDIM, 1.0)),
                TextToImage.Listener.NONE);
        assertThat(denoiser.rows).containsOnly(1).hasSize(8);
    }

    @Test
    void startsFromTheSeedsTorchNoise() {
        TestParts.LinearDenoiser denoiser = new TestParts.LinearDenoiser();
        pipeline(new TestParts.ConstantEncoder(Map.of()), denoiser).render(List.of(request("a cat", 1234, Sampler.DDIM, 1.0)),
                TextToImage.Listener.NONE);
        // DDIM leaves the model input unscaled and starts at sigma 1: the first input is randn(1, 3, 16, 16) itself
        assertThat(denoiser.samples.getFirst()).containsExactly(TorchGenerator.seeded(1234).randn(3 * SIZE * SIZE));
    }

    @Test
    void theSameSeedMakesTheSameImageAndAnotherSeedAnother() {
        TextToImage pipeline = pipeline(new TestParts.ConstantEncoder(Map.of()), new TestParts.LinearDenoiser());
        int[] first = pixels(only(pipeline.render(List.of(request("a cat", 7, Sampler.EULER_ANCESTRAL, 4)), TextToImage.Listener.NONE)));
        int[] again = pixels(only(pipeline.render(List.of(request("a cat", 7, Sampler.EULER_ANCESTRAL, 4)), TextToImage.Listener.NONE)));
        int[] other = pixels(only(pipeline.render(List.of(request("a cat", 8, Sampler.EULER_ANCESTRAL, 4)), TextToImage.Listener.NONE)));
        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void aBatchedImageEqualsTheSameRequestRenderedAlone() {
        TextToImage pipeline = pipeline(new TestParts.ConstantEncoder(Map.of()), new TestParts.LinearDenoiser());
        List<ImageRequest> batch = List.of(request("a red circle", 11, Sampler.EULER_ANCESTRAL, 2),
                request("a blue square", 12, Sampler.DPMPP_2M_KARRAS, 1.0),
                request("a green cat", 13, Sampler.DDIM, 3));
        List<Optional<TextToImage.Rendered>> together = pipeline.render(batch, TextToImage.Listener.NONE);
        for (int i = 0; i < batch.size(); i++) {
            BufferedImage alone = only(pipeline.render(List.of(batch.get(i)), TextToImage.Listener.NONE));
            int[] batched = pixels(together.get(i).orElseThrow().image());
            assertThat(Arrays.stream(batched).distinct().count()).as("distinct pixels of %d", i).isGreaterThan(20);
            assertThat(batched).as("request %d", i).containsExactly(pixels(alone));
        }
    }

    @Test
    void aCancelledRequestLeavesTheBatchBeforeTheNextStepAndTheOthersFinish() {
        TestParts.LinearDenoiser denoiser = new TestParts.LinearDenoiser();
        TextToImage pipeline = pipeline(new TestParts.ConstantEncoder(Map.of()), denoiser);
        List<String> steps = new ArrayList<>();
        boolean[] cancelled = new boolean[2];
        TextToImage.Listener listener = new TextToImage.Listener() {
            @Override
            public boolean cancelled(int index) {
                return cancelled[index];
            }

            @Override
            public void stepDone(int index, int step, int of, BufferedImage preview) {
                steps.add(index + ":" + step + "/" + of);
                if (index == 0 && step == 3) cancelled[0] = true;
            }
        };
        List<Optional<TextToImage.Rendered>> out = pipeline.render(
                List.of(request("a", 1, Sampler.DDIM, 1), request("b", 2, Sampler.DDIM, 1)), listener);
        assertThat(out.get(0)).isEmpty();
        assertThat(out.get(1)).isPresent();
        assertThat(out.get(1).orElseThrow().steps()).hasSize(8);
        assertThat(denoiser.rows).containsExactly(2, 2, 2, 1, 1, 1, 1, 1);
        assertThat(steps).contains("0:3/8", "1:8/8").doesNotContain("0:4/8");
    }

    @Test
    void requestsOfDifferentSizesCannotShareABatch() {
        TextToImage pipeline = pipeline(new TestParts.ConstantEncoder(Map.of()), new TestParts.LinearDenoiser());
        ImageRequest wide = new ImageRequest("a", "", 1, 8, Sampler.DDIM, 1, 32, 16);
        assertThatThrownBy(() -> pipeline.render(List.of(request("a", 1, Sampler.DDIM, 1), wide), TextToImage.Listener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32x16");
    }

    @Test
    void pixelsMapFromMinusOneToOneOntoZeroTo255Clamped() {
        // 0 maps to 127.5, which numpy rounds to the even 128
        float[] plane = {-2f, -1f, 0f, 0.5f, 1f, 3f};
        float[] rgb = new float[18];
        for (int c = 0; c < 3; c++) System.arraycopy(plane, 0, rgb, c * 6, 6);
        BufferedImage image = TextToImage.toImage(rgb, 6, 1);
        int[] red = new int[6];
        for (int x = 0; x < 6; x++) red[x] = image.getRGB(x, 0) >> 16 & 0xff;
        assertThat(red).containsExactly(0, 0, 128, 191, 255, 255);
    }

    private TextToImage pipeline(PromptEncoder encoder, Denoiser denoiser) {
        return new TextToImage(encoder, denoiser, LatentDecoder.PIXELS, schedule);
    }

    private static ImageRequest request(String prompt, long seed, Sampler sampler, double guidance) {
        return new ImageRequest(prompt, "", seed, 8, sampler, guidance, SIZE, SIZE);
    }

    private static BufferedImage only(List<Optional<TextToImage.Rendered>> rendered) {
        assertThat(rendered).hasSize(1);
        return rendered.getFirst().orElseThrow().image();
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

}
