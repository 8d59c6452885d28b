package io.genway.deploy.config;

import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import java.time.Duration;
import java.util.List;

/**
 * {@code pools[i]:} one pool: what it serves, its limits, and the engine its workers run.
 *
 * @param workers      workers the standalone role starts for this pool (0: none); the worker role's default count
 * @param drainTimeout on stop, how long a worker lets running requests finish before handing them back
 */
public record PoolConfig(String name, Modality modality, List<String> models, int maxBacklog, int maxTokens, int workers,
                         Duration drainTimeout, EngineConfig engine) {
    public static final int DEFAULT_MAX_BACKLOG = 256;
    public static final int DEFAULT_WORKERS = 1;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public PoolConfig {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new ConfigException("name", "must be 1 to 63 of a-z, 0-9, '.', '_', '-' starting with a letter or digit, was '" + name + "'");
        }
        if (modality == null) throw new ConfigException("modality", "required: one of text, image");
        models = models == null ? List.of() : List.copyOf(models);
        if (models.isEmpty()) throw new ConfigException("models", "required: the model names this pool serves");
        for (int i = 0; i < models.size(); i++) {
            if (models.get(i).isBlank()) throw new ConfigException("models[" + i + "]", "must not be empty");
        }
        Check.range("max_backlog", maxBacklog, 1, 10_000_000);
        Check.range("max_tokens", maxTokens, 1, 10_000_000);
        if (modality == Modality.IMAGE && maxTokens != 1) throw new ConfigException("max_tokens", "must be 1 for an image pool, was " + maxTokens);
        Check.range("workers", workers, 0, 1024);
        Check.range("drain_timeout", drainTimeout, Duration.ZERO, Duration.ofHours(1));
        if (engine == null) throw new ConfigException("engine", "required");
        if (engine.modality() != modality) {
            throw new ConfigException("engine.type", "engine type " + engine.type() + " does not serve " + modality.wireName()
                    + " pools (" + modality.wireName() + " engines: " + String.join(", ", EngineConfig.types(modality)) + ")");
        }
    }

    /** The synthetic engine of the modality: what a pool runs when its {@code engine:} is left out. */
    public static EngineConfig defaultEngine(Modality modality) {
        return switch (modality) {
            case TEXT -> EngineConfig.SyntheticText.DEFAULT;
            case IMAGE -> EngineConfig.SyntheticImage.DEFAULT;
        };
    }

    public static int defaultMaxTokens(Modality modality) {
        return modality == Modality.TEXT ? 4096 : 1;
    }

    public PoolSpec spec() {
        return new PoolSpec(name, modality, models, maxBacklog, maxTokens);
    }

    /** The same pool under another name. */
    public PoolConfig renamed(String newName) {
        return new PoolConfig(newName, modality, models, maxBacklog, maxTokens, workers, drainTimeout, engine);
    }
}
