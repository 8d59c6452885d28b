package io.genway.deploy.config;

import io.genway.llm.llama.Activations;
import io.genway.schemas.Modality;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The whole of {@code genway.yaml}, validated. {@link ConfigLoader} reads it; every field has a named default, so
 * {@link #DEFAULT} is what runs with no file at all: pools {@code text} and {@code image} serving the
 * {@link DemoModels} on the native engines, and {@code synthetic-text} and {@code synthetic-image} serving the
 * synthetic engines (exactly known output, for trying the platform itself). Where the demo models are missing,
 * {@code text} and {@code image} serve the synthetic engines instead.
 */
public record GenwayConfig(KafkaClientConfig kafka, GatewayConfig gateway, BrokerConfig broker, TopicsConfig topics,
                           List<PoolConfig> pools) {

    public static final List<PoolConfig> DEFAULT_POOLS = defaultPools();

    public static final GenwayConfig DEFAULT = new GenwayConfig(KafkaClientConfig.DEFAULT, GatewayConfig.DEFAULT,
            BrokerConfig.DEFAULT, TopicsConfig.DEFAULT, DEFAULT_POOLS);

    public GenwayConfig {
        if (kafka == null) throw new ConfigException("kafka", "required");
        if (gateway == null) throw new ConfigException("gateway", "required");
        if (broker == null) throw new ConfigException("broker", "required");
        if (topics == null) throw new ConfigException("topics", "required");
        pools = pools == null ? List.of() : List.copyOf(pools);
        if (pools.isEmpty()) throw new ConfigException("pools", "at least one pool is needed");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            if (!names.add(pools.get(i).name())) throw new ConfigException("pools[" + i + "].name", "duplicate pool name '" + pools.get(i).name() + "'");
        }
        for (PoolConfig pool : pools) {
            // A lease shorter than the drain would let the broker hand a draining worker's request to another one.
            if (pool.drainTimeout().compareTo(topics.leaseDuration()) > 0) {
                throw new ConfigException("pools[" + pools.indexOf(pool) + "].drain_timeout",
                        "must not exceed topics.lease_duration (" + Durations.format(topics.leaseDuration()) + "), was " + Durations.format(pool.drainTimeout()));
            }
        }
    }

    /** The built-in pools for the demo models found now (see {@link DemoModels#home}). */
    static List<PoolConfig> defaultPools() {
        PoolConfig syntheticText = new PoolConfig("text", Modality.TEXT, List.of("genway-synthetic-text"), 256, 4096, 1,
                PoolConfig.DEFAULT_DRAIN_TIMEOUT, EngineConfig.SyntheticText.DEFAULT);
        PoolConfig syntheticImage = new PoolConfig("image", Modality.IMAGE, List.of("genway-synthetic-image"), 64, 1, 1,
                PoolConfig.DEFAULT_DRAIN_TIMEOUT, EngineConfig.SyntheticImage.DEFAULT);
        List<PoolConfig> demo = new java.util.ArrayList<>();
        List<PoolConfig> synthetic = new java.util.ArrayList<>();
        DemoModels.text().ifPresentOrElse(model -> {
            demo.add(new PoolConfig("text", Modality.TEXT, List.of(DemoModels.TEXT_MODEL), 256, 512, 1, PoolConfig.DEFAULT_DRAIN_TIMEOUT,
                    new EngineConfig.NativeText(model, 16, 0, 64L << 20, EngineConfig.NativeText.DEFAULT_PREFILL_CHUNK,
                            Activations.F32)));
            synthetic.add(syntheticText.renamed("synthetic-text"));
        }, () -> synthetic.add(syntheticText));
        DemoModels.image().ifPresentOrElse(model -> {
            demo.add(new PoolConfig("image", Modality.IMAGE, List.of(DemoModels.IMAGE_MODEL), 64, 1, 1, PoolConfig.DEFAULT_DRAIN_TIMEOUT,
                    new EngineConfig.NativeImage(model, EngineConfig.NativeImage.DEFAULT_SLOTS, EngineConfig.NativeImage.DEFAULT_MAX_BATCH,
                            DemoModels.IMAGE_SAMPLER)));
            synthetic.add(syntheticImage.renamed("synthetic-image"));
        }, () -> synthetic.add(syntheticImage));
        demo.addAll(synthetic);
        return List.copyOf(demo);
    }

    public Optional<PoolConfig> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<String> poolNames() {
        return pools.stream().map(PoolConfig::name).toList();
    }

    /** The pool named {@code name}, or a configuration error that lists the pools there are. */
    public PoolConfig requirePool(String name) {
        return pool(name).orElseThrow(() -> new ConfigException("pools", "no pool named '" + name + "' (pools: " + String.join(", ", poolNames()) + ")"));
    }

    public GenwayConfig withPools(List<PoolConfig> newPools) {
        return new GenwayConfig(kafka, gateway, broker, topics, newPools);
    }
}
