package io.genway.worker;

import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test engine that emits {@code tokens} tokens "t0", "t1", ... one every {@code pace}, on its own virtual thread,
 * and can be told to fail an attempt: the failure it throws is chosen per attempt by {@link #failWith}.
 */
final class ScriptedEngine implements Engine {
    interface Failure {
        EngineException on(int attempt);
    }

    final List<String> runs = new CopyOnWriteArrayList<>();
    private final int tokens;
    private final Duration pace;
    private final boolean reproducible;
    private volatile Failure failure = attempt -> null;
    private volatile int failAfterTokens;
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    ScriptedEngine(int tokens, Duration pace, boolean reproducible) {
        this.tokens = tokens;
        this.pace = pace;
        this.reproducible = reproducible;
    }

    /** Fails the n-th run (1-based, counted by this engine) after {@code afterTokens} tokens with what {@code failure} gives. */
    ScriptedEngine failWith(int afterTokens, Failure failure) {
        this.failAfterTokens = afterTokens;
        this.failure = failure;
        return this;
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("scripted", List.of("m"), 4, 0, reproducible);
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        int call = calls.incrementAndGet();
        runs.add(request.requestId());
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < tokens; i++) {
                    if (cancel.cancelled()) {
                        done.complete(Outcome.cancelled());
                        return;
                    }
                    EngineException fail = i == failAfterTokens ? failure.on(call) : null;
                    if (fail != null) {
                        done.completeExceptionally(fail);
                        return;
                    }
                    output.tokens("t" + i, List.of(i));
                    Thread.sleep(pace);
                }
                done.complete(new Outcome(FinishReason.LENGTH, new Usage(1, tokens)));
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
