package io.genway.worker.engine;

import io.genway.schemas.GenerationRequest;
import java.util.concurrent.CompletableFuture;

/**
 * What a worker runs. The worker loop knows only this interface; each pool adapts its own engines to it (the
 * transformer pool's token engines, the diffusion pool's image engines) and only the worker knows Kafka.
 *
 * <p>Obligations: {@link #run} may be called from many threads at once, up to {@link EngineInfo#slots()} runs in
 * flight; for one run, {@link Output} calls never overlap and come in output order. A run checks
 * {@link CancelToken#cancelled()} at least once per decode or denoising step and then completes with
 * {@link Outcome#cancelled()}. A run that cannot succeed completes exceptionally with an {@link EngineException}
 * that says whether a retry on another worker can help.
 */
public interface Engine extends AutoCloseable {

    EngineInfo info();

    CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel);

    /** A live figure for heartbeats: engine memory left (KV cache, activations), or -1 when the engine has no budget. */
    default long freeMemoryBytes() {
        return -1;
    }

    /**
     * A live figure for heartbeats: measured time per unit of work by shape, in milliseconds; for diffusion the
     * median step time keyed {@code "WxH/batch"}. Empty when the engine measures none.
     */
    default java.util.Map<String, Double> stepMs() {
        return java.util.Map.of();
    }

    @Override
    default void close() {
    }
}
