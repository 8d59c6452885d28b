package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.pipeline.ImageModel;
import io.genway.diffusion.pipeline.LatentDecoder;
import io.genway.diffusion.pipeline.Sampler;
import io.genway.diffusion.pipeline.TestParts;
import io.genway.diffusion.pipeline.TextToImage;
import io.genway.diffusion.png.PngText;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.ImageInput;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeImageEngineTest {
    private static final int STEPS = 6;

    @TempDir Path dir;
    private final List<NativeImageEngine> engines = new ArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(NativeImageEngine::close);
    }

    @Test
    void reportsEveryStepThenOnePngPerImageCarryingItsParameters() throws Exception {
        NativeImageEngine engine = engine(new TestParts.LinearDenoiser(), 4);
        ImageOutput output = new ImageOutput();
        Outcome outcome = engine.run(request("a cat", 40, 2, 16), output, new CancelToken()).get(20, TimeUnit.SECONDS);

        assertThat(outcome.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(output.steps).isEqualTo(IntStream.rangeClosed(1, STEPS).boxed().toList());
        assertThat(output.totals).containsOnly(STEPS);
        assertThat(output.images).containsOnlyKeys(0, 1);
        assertThat(PngText.read(output.images.get(1))).containsEntry("prompt", "a cat").containsEntry("seed", "41")
                .containsEntry("steps", "6").containsEntry("sampler", "ddim").containsEntry("guidance", "5.0")
                .containsEntry("model", "demo").containsEntry("negative_prompt", "blurry");
        assertThat(SyntheticImageEngineTest.decode(output.images.get(0)).getWidth()).isEqualTo(16);
    }

    @Test
    void queuedRequestsOfOneSizeAndStepCountShareADenoiserBatchAndMakeTheirImagesAlone() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TestParts.LinearDenoiser denoiser = new TestParts.LinearDenoiser() {
            @Override
            public float[] predict(float[] sample, int rows, int height, int width, float[] timesteps, float[] context,
                                   int tokens) {
                firstStarted.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.predict(sample, rows, height, width, timesteps, context, tokens);
            }
        };
        NativeImageEngine engine = engine(denoiser, 4);
        CompletableFuture<Outcome> blocker = engine.run(request("first", 1, 1, 16), new ImageOutput(), new CancelToken());
        assertThat(firstStarted.await(20, TimeUnit.SECONDS)).isTrue();
        ImageOutput a = new ImageOutput();
        ImageOutput b = new ImageOutput();
        ImageOutput other = new ImageOutput();
        CompletableFuture<Outcome> runA = engine.run(request("a red circle", 7, 1, 16), a, new CancelToken());
        CompletableFuture<Outcome> runOther = engine.run(request("a big one", 9, 1, 32), other, new CancelToken());
        CompletableFuture<Outcome> runB = engine.run(request("a blue square", 8, 1, 16), b, new CancelToken());
        release.countDown();
        CompletableFuture.allOf(blocker, runA, runB, runOther).get(20, TimeUnit.SECONDS);

        // guided: two rows per image; the first run alone, then a and b together, then the 32x32 one
        assertThat(denoiser.rows).containsExactlyElementsOf(
                List.of(2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2));
        NativeImageEngine alone = engine(new TestParts.LinearDenoiser(), 1);
        ImageOutput aAlone = new ImageOutput();
        alone.run(request("a red circle", 7, 1, 16), aAlone, new CancelToken()).get(20, TimeUnit.SECONDS);
        assertThat(pixels(a.images.get(0))).containsExactly(pixels(aAlone.images.get(0)));
        assertThat(engine.stepTimes().median("16x16", 2)).isPresent();
    }

    @Test
    void aRunCancelledMidwayStopsBetweenStepsAndEndsCancelled() throws Exception {
        NativeImageEngine engine = engine(new TestParts.LinearDenoiser(), 4);
        CancelToken cancel = new CancelToken();
        ImageOutput output = new ImageOutput(step -> {
            if (step == 3) cancel.cancel("client went away");
        });
        Outcome outcome = engine.run(request("a cat", 3, 1, 16), output, cancel).get(20, TimeUnit.SECONDS);

        assertThat(outcome.wasCancelled()).isTrue();
        assertThat(output.steps).containsExactly(1, 2, 3);
        assertThat(output.images).isEmpty();
    }

    @Test
    void aModelItDoesNotServeIsAFatalError() {
        NativeImageEngine engine = engine(new TestParts.LinearDenoiser(), 4);
        GenerationRequest request = request("a cat", 1, 1, 16);
        GenerationRequest elsewhere = new GenerationRequest(request.requestId(), RequestKind.IMAGE, true, "images",
                "other", null, request.image(), 1, 0, 0, "", false, null, 0);
        assertThatThrownBy(() -> engine.run(elsewhere, new ImageOutput(), new CancelToken()).get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(EngineException.Fatal.class)
                .hasMessageContaining("other");
    }

    @Test
    void makesTheAskedPreviewsForTheRequestThatAskedEvenInABatch() throws Exception {
        NativeImageEngine engine = engine(new TestParts.LinearDenoiser(), 4);
        GenerationRequest asking = new GenerationRequest("img-asks", RequestKind.IMAGE, true, "images", "demo", null,
                new ImageInput("a cat", "", 1, 16, 16, STEPS, 5, 2), 3, 0, 0, "", false, null, 0);
        ImageOutput askingOutput = new ImageOutput();
        ImageOutput otherOutput = new ImageOutput();
        // Both are queued before the render thread can take the first alone only if it is busy: hold it with a
        // first request, so the two share the next batch.
        CountDownLatch hold = new CountDownLatch(1);
        CompletableFuture<Outcome> first = engine.run(request("busy", 1, 1, 16), new ImageOutput(step -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), new CancelToken());
        CompletableFuture<Outcome> asks = engine.run(asking, askingOutput, new CancelToken());
        CompletableFuture<Outcome> other = engine.run(request("a dog", 9, 1, 16), otherOutput, new CancelToken());
        hold.countDown();
        CompletableFuture.allOf(first, asks, other).get(20, TimeUnit.SECONDS);

        assertThat(askingOutput.steps).isEqualTo(IntStream.rangeClosed(1, STEPS).boxed().toList());
        assertThat(askingOutput.previews).containsOnlyKeys(2, 4); // round(6/3), round(12/3)
        for (byte[] png : askingOutput.previews.values()) {
            BufferedImage preview = SyntheticImageEngineTest.decode(png);
            assertThat(preview.getWidth()).as("a pixel model previews at its own size").isEqualTo(16);
        }
        assertThat(otherOutput.previews).isEmpty();
        assertThat(otherOutput.images).containsOnlyKeys(0);
    }

    @Test
    void aTextRequestIsAFatalError() {
        NativeImageEngine engine = engine(new TestParts.LinearDenoiser(), 4);
        GenerationRequest text = new GenerationRequest("t", RequestKind.COMPLETION, false, "images", "demo",
                new TextInput(null, "hi", new SamplingParams(8, 1, 1, 0, 0, List.of())), null, 1, 0, 0, "", false, null, 0);
        assertThatThrownBy(() -> engine.run(text, new ImageOutput(), new CancelToken()).get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(EngineException.Fatal.class);
    }

    private NativeImageEngine engine(TestParts.LinearDenoiser denoiser, int maxBatch) {
        TextToImage pipeline = new TextToImage(new TestParts.ConstantEncoder(Map.of()), denoiser, LatentDecoder.PIXELS,
                TestParts.stableDiffusionSchedule(dir));
        List<NativeImageEngine.Timings> seen = new CopyOnWriteArrayList<>();
        NativeImageEngine engine = new NativeImageEngine(new ImageModel(dir, pipeline, Sampler.DDIM, 16, 8), List.of("demo"),
                4, maxBatch, null, seen::add, System::nanoTime);
        engines.add(engine);
        return engine;
    }

    static GenerationRequest request(String prompt, long seed, int n, int side) {
        return new GenerationRequest("img-" + seed, RequestKind.IMAGE, true, "images", "demo", null,
                new ImageInput(prompt, "blurry", n, side, side, STEPS, 5), seed, 0, 0, "", false, null, 0);
    }

    private static int[] pixels(byte[] png) throws Exception {
        BufferedImage image = SyntheticImageEngineTest.decode(png);
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
