package io.genway.schemas;

import java.util.List;
import java.util.Objects;

/**
 * A pool as configuration declares it; gateways route by it and workers serve it.
 *
 * @param maxBacklog requests that may wait (queued, not yet started) before the gateway answers 429
 * @param maxTokens  the largest {@code max_tokens} a text request may ask for; the default when it asks for none
 *                   is {@code min(maxTokens, 256)}
 */
public record PoolSpec(String name, Modality modality, List<String> models, int maxBacklog, int maxTokens) {

    public PoolSpec {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("pool name must match [a-z0-9][a-z0-9._-]*, was '" + name + "'");
        }
        Objects.requireNonNull(modality, "modality");
        models = models == null ? List.of() : List.copyOf(models);
        if (models.isEmpty()) throw new IllegalArgumentException("pool " + name + ": models must not be empty");
        if (maxBacklog < 1) throw new IllegalArgumentException("pool " + name + ": max_backlog must be >= 1");
        if (maxTokens < 1) throw new IllegalArgumentException("pool " + name + ": max_tokens must be >= 1");
    }

    public boolean serves(String model) {
        return models.contains(model);
    }
}
