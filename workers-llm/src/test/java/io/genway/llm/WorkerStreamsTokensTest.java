package io.genway.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.ChatMessage;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TextInput;
import io.genway.worker.PoolHarness;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WorkerStreamsTokensTest {

    @Test
    void streamsEveryTokenOfARequestInOrderThenCompletes() {
        var request = new GenerationRequest("r1", RequestKind.CHAT, false, "text", "m",
                new TextInput(List.of(new ChatMessage("user", "one two three four")), null,
                        new SamplingParams(12, 0.8, 1, 0, 0, List.of())), null,
                42, System.currentTimeMillis(), 0, "", false, null, 0);
        try (PoolHarness pool = new PoolHarness(new PoolSpec("text", Modality.TEXT, List.of("m"), 100, 512))) {
            pool.startWorker("w1", new SyntheticTextEngine(List.of("m"), 4, Duration.ZERO, Duration.ofMillis(2)));
            pool.submit(request);
            List<StreamEvent> events = pool.eventsUntilTerminal("r1", Duration.ofSeconds(30));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.getLast()).isInstanceOf(StreamEvent.Completed.class);
            List<String> text = events.stream().filter(e -> e instanceof StreamEvent.Tokens).map(e -> ((StreamEvent.Tokens) e).text()).toList();
            assertThat(text).isEqualTo(SyntheticTextEngine.tokensFor(request));
            assertThat(events.stream().filter(StreamEvent::content).map(StreamEvent::seq).toList())
                    .isEqualTo(LongStream.rangeClosed(1, 13).boxed().toList());
        }
    }
}
