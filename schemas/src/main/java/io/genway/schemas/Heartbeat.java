package io.genway.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A worker's liveness and capacity on the compacted {@code workers} topic, keyed by worker id. A tombstone (null
 * value) means the worker left cleanly.
 *
 * @param slots      requests it can run at once
 * @param busy       requests it is running now
 * @param kvBytesPerToken transformer engines: KV-cache bytes per token of context; 0 otherwise
 * @param freeMemoryBytes engine memory budget left (KV cache, activations); -1 when the engine does not say
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
        WorkerProfile profile) {

    public Heartbeat {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(pool, "pool");
        models = models == null ? List.of() : List.copyOf(models);
        profile = profile == null ? WorkerProfile.UNMEASURED : profile;
    }

    public int free() {
        return draining ? 0 : Math.max(0, slots - busy);
    }
}
