package io.genway.schemas;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's liveness and capacity on the compacted {@code workers} topic, keyed by worker id. A tombstone (null
 * value) means the worker left cleanly.
 *
 * @param slots      requests it can run at once
 * @param busy       requests it is running now
 * @param kvBytesPerToken transformer engines: KV-cache bytes per token of context; 0 otherwise
 * @param freeMemoryBytes engine memory budget left (KV cache, activations); -1 when the engine does not say
 * @param stepMs     diffusion engines: measured median time per denoising step, keyed by shape
 *                   ({@code "WxH/batch"}, e.g. {@code "512x512/2"}); empty otherwise
 */
public record Heartbeat(
        String workerId,
        String pool,
        Modality modality,
        List<String> models,
        String engine,
        int slots,
        int busy,
        boolean draining,
        long startedAtMs,
        long atMs,
        long kvBytesPerToken,
        long freeMemoryBytes,
        WorkerProfile profile,
        Map<String, Double> stepMs) {

    public Heartbeat {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(pool, "pool");
        models = models == null ? List.of() : List.copyOf(models);
        profile = profile == null ? WorkerProfile.UNMEASURED : profile;
        stepMs = stepMs == null ? Map.of() : Map.copyOf(stepMs);
    }

    public int free() {
        return draining ? 0 : Math.max(0, slots - busy);
    }
}
