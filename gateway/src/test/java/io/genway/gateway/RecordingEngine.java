package io.genway.gateway;

import io.genway.schemas.GenerationRequest;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps an engine and records which requests it ran and how each ended, so tests can see inside a worker. */
final class RecordingEngine implements Engine {
    final List<String> started = new CopyOnWriteArrayList<>();
    final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final Engine delegate;

    RecordingEngine(Engine delegate) {
        this.delegate = delegate;
    }

    @Override
    public EngineInfo info() {
        return delegate.info();
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        started.add(request.requestId());
        requests.add(request);
        return delegate.run(request, output, cancel).whenComplete((outcome, error) -> {
            if (outcome != null && outcome.wasCancelled()) cancelled.add(request.requestId());
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
