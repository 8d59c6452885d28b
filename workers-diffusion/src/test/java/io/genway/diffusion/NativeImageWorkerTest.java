package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.diffusion.pipeline.ImageModel;
import io.genway.diffusion.pipeline.LatentDecoder;
import io.genway.diffusion.pipeline.Sampler;
import io.genway.diffusion.pipeline.TestParts;
import io.genway.diffusion.pipeline.TextToImage;
import io.genway.diffusion.png.PngText;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.worker.PoolHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native engine behind a real worker and the embedded broker, with test-double model parts. */
class NativeImageWorkerTest {

    @Test
    void anImageJobReportsEveryStepThenItsStoredPngThenCompletes(@TempDir Path dir) throws Exception {
        TextToImage pipeline = new TextToImage(new TestParts.ConstantEncoder(Map.of()), new TestParts.LinearDenoiser(),
                LatentDecoder.PIXELS, TestParts.stableDiffusionSchedule(dir));
        GenerationRequest request = NativeImageEngineTest.request("a red circle on a blue background", 11, 1, 32);
        try (PoolHarness pool = new PoolHarness(new PoolSpec("images", Modality.IMAGE, List.of("demo"), 100, 512))) {
            io.genway.worker.Worker worker = pool.startWorker("w1", new NativeImageEngine(new ImageModel(dir, pipeline, Sampler.EULER, 32, 8), List.of("demo"),
                    2, 4, null));
            pool.submit(request);
            List<StreamEvent> events = pool.eventsUntilTerminal(request.requestId(), Duration.ofSeconds(60));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Progress).map(e -> ((StreamEvent.Progress) e).step()))
                    .isEqualTo(IntStream.rangeClosed(1, request.image().steps()).boxed().toList());
            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Completed.class,
                    done -> assertThat(done.finishReason()).isEqualTo(FinishReason.STOP));
            ResultRef ref = ((StreamEvent.ImageReady) events.get(events.size() - 2)).ref();
            byte[] png = pool.result(ref);
            assertThat(SyntheticImageEngineTest.decode(png).getWidth()).isEqualTo(32);
            assertThat(PngText.read(png)).containsEntry("sampler", "euler").containsEntry("seed", "11");
            // The heartbeat now carries the measured step time for this shape, for the router and operators.
            assertThat(worker.heartbeat().stepMs()).containsOnlyKeys("32x32/1").allSatisfy((shape, ms) -> assertThat(ms).isPositive());
        }
    }
}
