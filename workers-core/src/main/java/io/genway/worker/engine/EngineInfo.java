package io.genway.worker.engine;

import java.util.List;
import java.util.Objects;

/**
 * What an engine serves and how much at once.
 *
 * @param name            engine kind as configuration names it (remote, native, synthetic)
 * @param slots           runs it accepts at once (continuous-batching sequences, upstream connections, images)
 * @param kvBytesPerToken transformer engines: KV-cache bytes per context token; 0 where it does not apply
 */
public record EngineInfo(String name, List<String> models, int slots, long kvBytesPerToken) {
    public EngineInfo {
        Objects.requireNonNull(name, "name");
        models = List.copyOf(models);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
    }
}
