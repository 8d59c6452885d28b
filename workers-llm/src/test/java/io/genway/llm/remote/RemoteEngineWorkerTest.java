package io.genway.llm.remote;

import static io.genway.llm.remote.FakeUpstream.Chunks.DONE;
import static io.genway.llm.remote.FakeUpstream.Chunks.chat;
import static io.genway.llm.remote.FakeUpstream.Chunks.chatEnd;
import static io.genway.llm.remote.FakeUpstream.Chunks.usage;
import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.FinishReason;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Usage;
import io.genway.worker.PoolHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemoteEngineWorkerTest {

    @Test
    void upstreamChunksArriveAsTokenEventsFollowedByCompleted() throws Exception {
        var request = RemoteTextEngineTest.chatRequest("m", 42, RemoteTextEngineTest.sampling(16, List.of()));
        try (PoolHarness pool = new PoolHarness(new PoolSpec("text", Modality.TEXT, List.of("m"), 100, 512));
             FakeUpstream upstream = new FakeUpstream().streams(Duration.ofMillis(2), chat("The"), chat(" quick"), chat(" fox"), chatEnd("stop"), usage(3, 3), DONE)) {
            pool.startWorker("w1", new RemoteTextEngine(RemoteEngineSettings.of(upstream.baseUrl(), 2), List.of("m")));
            pool.submit(request);
            List<StreamEvent> events = pool.eventsUntilTerminal(request.requestId(), Duration.ofSeconds(30));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Tokens).map(e -> ((StreamEvent.Tokens) e).text()))
                    .containsExactly("The", " quick", " fox");
            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Completed.class, done -> {
                assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(done.usage()).isEqualTo(new Usage(3, 3));
            });
        }
    }
}
