package io.genway.worker.engine;

import java.util.List;
import java.util.Objects;

/**
 * What an engine serves and how much at once.
 *
 * @param name            engine kind as configuration names it (remote, native, synthetic)
 * @param slots           runs it accepts at once (continuous-batching sequences, upstream connections, images)
 * @param kvBytesPerToken transformer engines: KV-cache bytes per context token; 0 where it does not apply
 * @param reproducible    the same request and seed give the same output, so a retry after partial output can
 *                        continue the client's stream exactly; false for upstreams that promise no such thing
 */
public record EngineInfo(String name, List<String> models, int slots, long kvBytesPerToken, boolean reproducible) {
    public EngineInfo {
        Objects.requireNonNull(name, "name");
        models = List.copyOf(models);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
    }

    /** A reproducible engine: output is a function of the request and its seed. */
    public EngineInfo(String name, List<String> models, int slots, long kvBytesPerToken) {
        this(name, models, slots, kvBytesPerToken, true);
    }
}
