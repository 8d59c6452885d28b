package io.genway.deploy;

import io.genway.broker.EmbeddedKafka;
import io.genway.deploy.config.EngineConfig;
import io.genway.deploy.config.GenwayConfig;
import io.genway.deploy.config.PoolConfig;
import io.genway.diffusion.NativeImageEngine;
import io.genway.diffusion.SyntheticImageEngine;
import io.genway.gateway.Gateway;
import io.genway.gateway.GatewaySettings;
import io.genway.llm.SyntheticTextEngine;
import io.genway.llm.remote.RemoteEngineSettings;
import io.genway.llm.remote.RemoteTextEngine;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.TopicSetup;
import io.genway.worker.Worker;
import io.genway.worker.WorkerSettings;
import io.genway.worker.engine.Engine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Turns a {@link GenwayConfig} into running parts: the mapping from configuration to each part's settings, and
 * the four roles the launcher offers. Each role adds what it starts to a {@link Running} as it goes, so that the
 * caller can stop a half-started process (a failure or a signal during start) the same way as a started one.
 */
public final class Roles {
    private final GenwayConfig config;
    private final String host;
    private final long pid;

    /**
     * @param host this machine's short name, for worker ids
     * @param pid  this process's id, for worker ids
     */
    public Roles(GenwayConfig config, String host, long pid) {
        this.config = Objects.requireNonNull(config, "config");
        this.host = Objects.requireNonNull(host, "host");
        this.pid = pid;
    }

    public static Roles forThisProcess(GenwayConfig config) {
        return new Roles(config, hostName(System.getenv("HOSTNAME")), ProcessHandle.current().pid());
    }

    public GenwayConfig config() {
        return config;
    }

    // ---- roles

    /** The embedded broker, topics for every pool, the gateway, then each pool's configured number of workers. */
    public Running standalone(Running into) {
        EmbeddedKafka broker = into.add(startBroker());
        String bootstrap = broker.bootstrapServers();
        ensureTopics(bootstrap, config.poolNames());
        Path stateDir = config.gateway().stateDir() != null ? config.gateway().stateDir() : broker.dataDir().resolve("gateway");
        into.add(Gateway.start(gatewaySettings(bootstrap, stateDir)));
        List<WorkerSettings> workers = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            for (int n = 0; n < pool.workers(); n++) workers.add(workerSettings(pool, bootstrap, n));
        }
        startWorkers(into, workers);
        return into;
    }

    /** Topics for every pool, then the gateway, against {@code kafka.bootstrap_servers}. */
    public Running gateway(Running into) {
        String bootstrap = config.kafka().bootstrapServers();
        ensureTopics(bootstrap, config.poolNames());
        into.add(Gateway.start(gatewaySettings(bootstrap, config.gateway().stateDir())));
        return into;
    }

    /** The pool's topics, then {@code count} workers of it, against {@code kafka.bootstrap_servers}. */
    public Running workers(String poolName, int count, Running into) {
        PoolConfig pool = config.requirePool(poolName);
        String bootstrap = config.kafka().bootstrapServers();
        ensureTopics(bootstrap, List.of(pool.name()));
        List<WorkerSettings> workers = new ArrayList<>();
        for (int n = 0; n < count; n++) workers.add(workerSettings(pool, bootstrap, n));
        startWorkers(into, workers);
        return into;
    }

    /** The embedded broker alone. */
    public Running kafka(Running into) {
        into.add(startBroker());
        return into;
    }

    // ---- parts

    public EmbeddedKafka startBroker() {
        var b = config.broker();
        return EmbeddedKafka.start(b.dataDir().toAbsolutePath(), b.port(), b.settings());
    }

    /** Creates missing topics and configures the pools' share groups; every role that uses topics runs it first. */
    public void ensureTopics(String bootstrapServers, Collection<String> pools) {
        Map<String, Object> props = new HashMap<>(config.kafka().client());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "genway-topic-setup-" + host + "-" + pid);
        try (Admin admin = Admin.create(props)) {
            new TopicSetup(admin, config.kafka().topics(), config.topics().settings()).ensure(pools);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new IllegalStateException("no answer from Kafka at " + bootstrapServers + " (kafka.bootstrap_servers) while setting up topics", e);
            }
            throw e;
        }
    }

    /**
     * Starts workers side by side: each takes seconds to join Kafka (its cancel listener reads the history first),
     * and that wait should not add up over a pool's workers. Fails with the first error after all have tried.
     */
    private void startWorkers(Running into, List<WorkerSettings> workers) {
        List<Future<Worker>> started = new ArrayList<>();
        try (ExecutorService starting = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("start-worker-", 0).factory())) {
            for (WorkerSettings settings : workers) {
                PoolConfig pool = config.requirePool(settings.pool().name());
                started.add(starting.submit(() -> into.add(Worker.start(settings, engine(pool), InstantSource.system(), config.topics().settings()))));
            }
        }
        for (Future<Worker> f : started) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException("worker did not start: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting workers", e);
            }
        }
    }

    // ---- configuration to settings

    public GatewaySettings gatewaySettings(String bootstrapServers, Path stateDir) {
        var g = config.gateway();
        List<PoolSpec> pools = config.pools().stream().map(PoolConfig::spec).toList();
        return new GatewaySettings(bootstrapServers, config.kafka().topics(), g.host(), g.port(), pools, g.apiKeys(),
                g.maxBodyBytes(), g.workerTimeout(), config.kafka().client(), stateDir == null ? null : stateDir.toAbsolutePath().toString(),
                g.keepAlive());
    }

    /** The settings of worker {@code n} of {@code pool} in this process; its slots come from the engine. */
    public WorkerSettings workerSettings(PoolConfig pool, String bootstrapServers, int n) {
        return new WorkerSettings(workerId(pool.name(), n), pool.spec(), bootstrapServers, config.kafka().topics(), 0,
                null, pool.drainTimeout(), config.kafka().client());
    }

    /** {@code <pool>-<host>-<pid>-<n>}: unique across machines and restarts, and says where to look. */
    public String workerId(String pool, int n) {
        return pool + "-" + host + "-" + pid + "-" + n;
    }

    /** A new engine for one worker of {@code pool} (a worker closes its engine when it stops). */
    public Engine engine(PoolConfig pool) {
        List<String> models = pool.models();
        return switch (pool.engine()) {
            case EngineConfig.SyntheticText t -> new SyntheticTextEngine(models, t.slots(), t.firstTokenDelay(), t.tokenDelay());
            case EngineConfig.RemoteText r -> new RemoteTextEngine(
                    new RemoteEngineSettings(r.baseUrl(), r.apiKey(), r.modelMap(), r.slots(), r.connectTimeout(), r.idleTimeout()), models);
            case EngineConfig.NativeText n -> new io.genway.llm.llama.LlamaEngine(
                    new io.genway.llm.llama.LlamaEngineSettings(n.model(), models, n.slots(), n.contextLength(), n.kvBudget(), n.prefillChunk(), n.activations()));
            case EngineConfig.SyntheticImage i -> new SyntheticImageEngine(models, i.slots(), i.stepDelay());
            case EngineConfig.NativeImage i -> nativeImage(i, models);
        };
    }

    private static Engine nativeImage(EngineConfig.NativeImage config, List<String> models) {
        try {
            return NativeImageEngine.load(config.model(), models, config.slots(), config.maxBatch(), config.sampler());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read diffusion model " + config.model() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A short host name fit for ids: the given one (Kubernetes sets {@code HOSTNAME} to the pod's name) or the
     * machine's, up to its first dot, lower case, other characters as '-'.
     */
    static String hostName(String fromEnv) {
        String name = fromEnv;
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                name = "localhost";
            }
        }
        int dot = name.indexOf('.');
        if (dot > 0) name = name.substring(0, dot);
        String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return clean.isEmpty() ? "localhost" : clean;
    }
}
