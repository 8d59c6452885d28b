package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Usage;
import io.genway.worker.PoolHarness;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SyntheticImageWorkerTest {
    private static final int STEPS = 6;

    @Test
    void anImageJobReportsEveryStepThenItsStoredPngThenCompletes() throws Exception {
        GenerationRequest request = SyntheticImageEngineTest.request("a red circle on a blue background", 11, 1, 64, 64, STEPS);
        try (PoolHarness pool = new PoolHarness(new PoolSpec("images", Modality.IMAGE, List.of("sd"), 100, 512))) {
            pool.startWorker("w1", new SyntheticImageEngine(List.of("sd"), 1, Duration.ofMillis(5)));
            pool.submit(request);
            List<StreamEvent> events = pool.eventsUntilTerminal(request.requestId(), Duration.ofSeconds(30));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Progress).map(e -> ((StreamEvent.Progress) e).step()))
                    .isEqualTo(IntStream.rangeClosed(1, STEPS).boxed().toList());
            assertThat(events.get(events.size() - 2)).isInstanceOf(StreamEvent.ImageReady.class);
            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Completed.class, done -> {
                assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(done.usage()).isEqualTo(new Usage(0, 1));
            });

            ResultRef ref = ((StreamEvent.ImageReady) events.get(events.size() - 2)).ref();
            assertThat(ref.contentType()).isEqualTo("image/png");
            byte[] png = pool.result(ref);
            assertThat(png).hasSize(ref.bytes());
            BufferedImage image = SyntheticImageEngineTest.decode(png);
            assertThat(image.getWidth()).isEqualTo(64);
            assertThat(image.getRGB(32, 32) & 0xFFFFFF).isEqualTo(0xDC1E1E); // the red of the circle
        }
    }
}
