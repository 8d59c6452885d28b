package io.genway.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TextInput;
import io.genway.worker.engine.EngineException;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class WorkerDeliveryTest {
    private static final PoolSpec POOL = new PoolSpec("text", Modality.TEXT, List.of("m"), 100, 512);

    private static GenerationRequest request(String id) {
        return new GenerationRequest(id, RequestKind.COMPLETION, false, "text", "m",
                new TextInput(null, "p", new SamplingParams(10, 0, 1, 0, 0, List.of())), null, 1,
                System.currentTimeMillis(), 0, "", false, null, 0);
    }

    private static List<Long> contentSeqs(List<StreamEvent> events) {
        return events.stream().filter(StreamEvent::content).map(StreamEvent::seq).toList();
    }

    @Test
    void retriesARetriableFailureAndTheRetryRepeatsTheSameSequenceNumbers() {
        ScriptedEngine engine = new ScriptedEngine(6, Duration.ofMillis(1), true)
                .failWith(3, call -> call == 1 ? new EngineException.Retriable("upstream_unavailable", "down", null) : null);
        try (PoolHarness pool = new PoolHarness(POOL)) {
            pool.startWorker("w1", engine);
            pool.submit(request("r-retry"));
            List<StreamEvent> events = pool.eventsUntilTerminal("r-retry", Duration.ofSeconds(30));

            assertThat(events.getLast()).isInstanceOf(StreamEvent.Completed.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Started).map(StreamEvent::attempt)).containsExactly(1, 2);
            // attempt 1 wrote seq 1..3 before failing; attempt 2 wrote 1..6 and the terminal 7: a reader forwarding each seq once sees 1..7
            assertThat(contentSeqs(events).stream().distinct().sorted().toList()).isEqualTo(LongStream.rangeClosed(1, 7).boxed().toList());
            assertThat(engine.runs).containsExactly("r-retry", "r-retry");
        }
    }

    @Test
    void endsAFatalFailureWithAFailedEventAndNoRetry() {
        ScriptedEngine engine = new ScriptedEngine(6, Duration.ofMillis(1), true)
                .failWith(0, call -> new EngineException.Fatal("context_length_exceeded", "prompt too long", null));
        try (PoolHarness pool = new PoolHarness(POOL)) {
            pool.startWorker("w1", engine);
            pool.submit(request("r-fatal"));
            List<StreamEvent> events = pool.eventsUntilTerminal("r-fatal", Duration.ofSeconds(30));

            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Failed.class, f -> {
                assertThat(f.error().code()).isEqualTo("context_length_exceeded");
                assertThat(f.retriable()).isFalse();
            });
            assertThat(engine.runs).containsExactly("r-fatal");
        }
    }

    @Test
    void doesNotRetryAnEngineThatCannotReproduceOutputItAlreadySent() {
        ScriptedEngine engine = new ScriptedEngine(6, Duration.ofMillis(1), false)
                .failWith(2, call -> new EngineException.Retriable("upstream_unavailable", "connection reset", null));
        try (PoolHarness pool = new PoolHarness(POOL)) {
            pool.startWorker("w1", engine);
            pool.submit(request("r-noretry"));
            List<StreamEvent> events = pool.eventsUntilTerminal("r-noretry", Duration.ofSeconds(30));

            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Failed.class, f -> assertThat(f.retriable()).isTrue());
            assertThat(engine.runs).hasSize(1);
        }
    }

    @Test
    void aStoppingWorkerHandsARequestItCannotFinishBackToTheQueue() {
        ScriptedEngine slow = new ScriptedEngine(200, Duration.ofMillis(50), true);
        try (PoolHarness pool = new PoolHarness(POOL)) {
            Worker first = Worker.start(new WorkerSettings("w-first", POOL, io.genway.broker.TestKafka.bootstrapServers(), pool.topics(), 0,
                    Duration.ofMillis(300), Duration.ofMillis(500), java.util.Map.of()), slow);
            pool.submit(request("r-handback"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> slow.runs.contains("r-handback"));
            first.close();

            ScriptedEngine fast = new ScriptedEngine(10, Duration.ZERO, true);
            pool.startWorker("w-second", fast);
            List<StreamEvent> events = pool.eventsUntilTerminal("r-handback", Duration.ofSeconds(30));
            assertThat(events.getLast()).isInstanceOf(StreamEvent.Completed.class);
            assertThat(fast.runs).containsExactly("r-handback");
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Started).map(e -> ((StreamEvent.Started) e).worker()))
                    .containsExactly("w-first", "w-second");
        }
    }
}
