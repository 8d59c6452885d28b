package io.genway.deploy;

import io.genway.deploy.config.ConfigException;
import io.genway.deploy.config.ConfigLoader;
import io.genway.deploy.config.ConfigLoader.Setting;
import io.genway.deploy.config.GenwayConfig;
import io.genway.deploy.config.PoolConfig;
import io.genway.worker.Worker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The {@code genway} launcher: one jar, four roles. {@code standalone} (the default) runs everything in one process
 * on an embedded broker; {@code gateway}, {@code worker} and {@code kafka} run one part each for a distributed
 * deployment.
 *
 * <p>A started role runs until SIGTERM or SIGINT, then stops in order (gateway, workers, broker; see
 * {@link Running}). Exit status: 0 after help or a normal stop, 2 for a configuration or usage error (one line on
 * stderr), 1 for any other failure; a stop by signal ends with the JVM's status for that signal (143 for SIGTERM).
 */
@Command(name = "genway", mixinStandardHelpOptions = true, versionProvider = Genway.Version.class,
        subcommands = {Genway.Standalone.class, Genway.GatewayRole.class, Genway.WorkerRole.class, Genway.KafkaRole.class, Genway.Bench.class,
                Genway.BenchLlm.class, Generate.class, Imagine.class},
        description = "A streaming generation gateway on Kafka. With no role, runs standalone.")
public final class Genway implements Callable<Integer> {
    static final int CONFIG_ERROR = 2;
    static final int FAILURE = 1;

    private final Map<String, String> env;
    private final Path workingDir;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopped = new CountDownLatch(1);

    Genway(Map<String, String> env, Path workingDir, PrintStream out, PrintStream err) {
        this.env = env;
        this.workingDir = workingDir;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        configureLogging();
        Genway genway = new Genway(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
        System.exit(genway.execute(args));
    }

    /** Parses {@code args} and runs the role; returns the exit status (a started role returns only once stopped). */
    int execute(String... args) {
        CommandLine cl = new CommandLine(this);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof ConfigException c) {
                err.println("genway: " + c.getMessage());
                return CONFIG_ERROR;
            }
            LoggerFactory.getLogger(Genway.class).error("stopped by an error", e);
            err.println("genway: " + describe(e));
            return FAILURE;
        });
        return cl.execute(args);
    }

    /** One line for a failure: its message, then each cause that adds something ("a; caused by B: b"). */
    static String describe(Throwable e) {
        StringBuilder line = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && depth++ < 8; c = c.getCause()) {
            String part = c.getMessage() != null ? c.getClass().getSimpleName() + ": " + c.getMessage() : c.getClass().getSimpleName();
            if (c.getMessage() == null || !line.toString().contains(c.getMessage())) line.append("; caused by ").append(part);
        }
        return line.toString();
    }

    /**
     * Sets slf4j-simple's levels before the first logger exists: INFO, but WARN for Kafka's and Netty's chatter.
     * A level the user set with {@code -D} wins.
     */
    static void configureLogging() {
        String p = "org.slf4j.simpleLogger.";
        setIfAbsent(p + "defaultLogLevel", "info");
        setIfAbsent(p + "log.org.apache.kafka", "warn");
        setIfAbsent(p + "log.kafka", "warn"); // the broker's own classes (kafka.server, kafka.log)
        setIfAbsent(p + "log.state.change.logger", "warn"); // the broker's line per partition change
        setIfAbsent(p + "log.io.netty", "warn");
        setIfAbsent(p + "showDateTime", "true");
        setIfAbsent(p + "dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent(p + "showShortLogName", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    @Override
    public Integer call() {
        Standalone standalone = new Standalone();
        standalone.genway = this;
        standalone.options = new ConfigOption();
        return standalone.call();
    }

    /** Stops a role started by {@link #execute} from another thread, as a signal would. */
    void stop() {
        stopped.countDown();
    }

    private GenwayConfig load(Path file, List<Setting> flags) {
        return new ConfigLoader(env, workingDir).load(file, flags);
    }

    /** Starts a role, stops it on SIGTERM/SIGINT, and blocks until then. */
    private int run(GenwayConfig config, BiConsumer<Roles, Running> start, Consumer<Running> ready) {
        Roles roles = Roles.forThisProcess(config);
        Running running = new Running();
        Thread hook = Thread.ofPlatform().name("genway-stop").unstarted(() -> {
            LoggerFactory.getLogger(Genway.class).info("stopping");
            running.close();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start.accept(roles, running);
        } catch (RuntimeException e) {
            running.close();
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        ready.accept(running);
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running.close();
        Runtime.getRuntime().removeShutdownHook(hook);
        return 0;
    }

    private void printUrls(String base) {
        out.println("  chat:     " + base + "/v1/chat/completions");
        out.println("  images:   " + base + "/v1/images/generations");
        out.println("  models:   " + base + "/v1/models");
        out.println("  pools:    " + base + "/v1/pools");
        out.println("  metrics:  " + base + "/metrics");
    }

    static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE",
                description = "configuration file (default: $GENWAY_CONFIG, else ./genway.yaml if present, else built-in)")
        Path file;
    }

    @Command(name = "standalone", mixinStandardHelpOptions = true,
            description = "Everything in one process: an embedded Kafka broker, the gateway and each pool's workers.")
    static final class Standalone implements Callable<Integer> {
        @ParentCommand Genway genway;
        @Mixin ConfigOption options;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "broker.data_dir: where queued requests and results are kept")
        Path dataDir;

        @Option(names = "--port", paramLabel = "PORT", description = "gateway.port: the HTTP port (0 picks a free one)")
        Integer port;

        @Override
        public Integer call() {
            List<Setting> flags = new ArrayList<>();
            if (dataDir != null) flags.add(new Setting("broker.data_dir", dataDir.toString(), "--data-dir"));
            if (port != null) flags.add(new Setting("gateway.port", port, "--port"));
            GenwayConfig config = genway.load(options.file, flags);
            return genway.run(config, (roles, running) -> roles.standalone(running), running -> {
                String base = config.gateway().localUrl(running.gateway().orElseThrow().port());
                var broker = running.broker().orElseThrow();
                genway.out.println("genway standalone: gateway " + base + ", kafka " + broker.bootstrapServers() + ", data in " + broker.dataDir());
                genway.printUrls(base);
                genway.out.println("  workers:  " + describeWorkers(config.pools()));
                genway.out.println("genway ready on " + base);
            });
        }

        private static String describeWorkers(List<PoolConfig> pools) {
            return String.join(", ", pools.stream()
                    .map(p -> p.name() + " x" + p.workers() + " (" + p.engine().type() + ", " + String.join(" ", p.models()) + ")")
                    .toList());
        }
    }

    @Command(name = "gateway", mixinStandardHelpOptions = true,
            description = "The HTTP gateway alone, against an existing Kafka cluster.")
    static final class GatewayRole implements Callable<Integer> {
        @ParentCommand Genway genway;
        @Mixin ConfigOption options;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "kafka.bootstrap_servers")
        String bootstrapServers;

        @Option(names = "--port", paramLabel = "PORT", description = "gateway.port: the HTTP port (0 picks a free one)")
        Integer port;

        @Override
        public Integer call() {
            List<Setting> flags = new ArrayList<>();
            if (bootstrapServers != null) flags.add(new Setting("kafka.bootstrap_servers", bootstrapServers, "--bootstrap-servers"));
            if (port != null) flags.add(new Setting("gateway.port", port, "--port"));
            GenwayConfig config = genway.load(options.file, flags);
            return genway.run(config, (roles, running) -> roles.gateway(running), running -> {
                String base = config.gateway().localUrl(running.gateway().orElseThrow().port());
                genway.out.println("genway gateway: " + base + ", kafka " + config.kafka().bootstrapServers() + ", pools " + String.join(", ", config.poolNames()));
                genway.printUrls(base);
                genway.out.println("genway ready on " + base);
            });
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true,
            description = "Workers of one pool alone, against an existing Kafka cluster.")
    static final class WorkerRole implements Callable<Integer> {
        @ParentCommand Genway genway;
        @Mixin ConfigOption options;

        @Option(names = "--pool", required = true, paramLabel = "NAME", description = "the pool to serve (a name under pools:)")
        String pool;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "kafka.bootstrap_servers")
        String bootstrapServers;

        @Option(names = "--workers", paramLabel = "N", description = "workers to run in this process (default: the pool's workers, at least 1)")
        Integer workers;

        @Override
        public Integer call() {
            List<Setting> flags = new ArrayList<>();
            if (bootstrapServers != null) flags.add(new Setting("kafka.bootstrap_servers", bootstrapServers, "--bootstrap-servers"));
            GenwayConfig config = genway.load(options.file, flags);
            PoolConfig p = config.requirePool(pool);
            int count = workers != null ? workers : Math.max(1, p.workers());
            if (count < 1 || count > 1024) throw new ConfigException("", "--workers must be in [1, 1024], was " + count);
            return genway.run(config, (roles, running) -> roles.workers(pool, count, running), running -> {
                genway.out.println("genway workers of pool " + pool + " on kafka " + config.kafka().bootstrapServers() + ": "
                        + String.join(", ", running.workers().stream().map(Worker::id).toList()));
                genway.out.println("genway ready: pool " + pool + ", " + count + (count == 1 ? " worker" : " workers"));
            });
        }
    }

    @Command(name = "kafka", mixinStandardHelpOptions = true,
            description = "The embedded single-node Kafka broker alone (KRaft, data on disk).")
    static final class KafkaRole implements Callable<Integer> {
        @ParentCommand Genway genway;
        @Mixin ConfigOption options;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "broker.data_dir")
        Path dataDir;

        @Option(names = "--port", paramLabel = "PORT", description = "broker.port: the client port (0 reuses the last one or picks a free one)")
        Integer port;

        @Override
        public Integer call() {
            List<Setting> flags = new ArrayList<>();
            if (dataDir != null) flags.add(new Setting("broker.data_dir", dataDir.toString(), "--data-dir"));
            if (port != null) flags.add(new Setting("broker.port", port, "--port"));
            GenwayConfig config = genway.load(options.file, flags);
            return genway.run(config, (roles, running) -> roles.kafka(running),
                    running -> genway.out.println("kafka ready on " + running.broker().orElseThrow().bootstrapServers()));
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Measures what the gateway and Kafka add to a token stream, against the same engine in-process.")
    static final class Bench implements Callable<Integer> {
        @Option(names = "--levels", split = ",", paramLabel = "N,N,...", description = "concurrent streams to measure at (default 1,64,512)")
        List<Integer> levels = List.of(1, 64, 512);

        @Option(names = "--tokens", paramLabel = "N", description = "tokens per stream (default 64)")
        int tokens = 64;

        @Option(names = "--token-delay-ms", paramLabel = "MS", description = "the engine's pacing between tokens (default 20)")
        long tokenDelayMs = 20;

        @Option(names = "--jvm-warmup-s", paramLabel = "S", description = "seconds of load before any measurement, for the JIT (default 30)")
        long jvmWarmupSeconds = 30;

        @Option(names = "--warmup-s", paramLabel = "S", description = "seconds of each run left out of its figures (default 5)")
        long warmupSeconds = 5;

        @Option(names = "--measure-s", paramLabel = "S", description = "seconds measured per run (default 20)")
        long measureSeconds = 20;

        @Override
        public Integer call() throws Exception {
            io.genway.deploy.bench.RelayBench.run(new io.genway.deploy.bench.RelayBench.Options(levels, tokens,
                    java.time.Duration.ofMillis(tokenDelayMs), java.time.Duration.ofSeconds(jvmWarmupSeconds),
                    java.time.Duration.ofSeconds(warmupSeconds), java.time.Duration.ofSeconds(measureSeconds)));
            return 0;
        }
    }

    @Command(name = "bench-llm", mixinStandardHelpOptions = true,
            description = "Measures the native engine's decode tokens/s at several batch sizes against the machine's memory bandwidth (random-weight models it writes, plus any --model).")
    static final class BenchLlm implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "FILE.gguf", description = "a GGUF model to measure too (repeatable)")
        List<java.nio.file.Path> models = new java.util.ArrayList<>();

        @Option(names = "--levels", split = ",", paramLabel = "N,N,...", description = "sequences decoded together (default 1,4,16)")
        List<Integer> levels = List.of(1, 4, 16);

        @Option(names = "--steps", paramLabel = "N", description = "decode steps measured per level, after a warm-up (default 24)")
        int steps = 24;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "where the generated models are written and kept (default: the temp dir)")
        java.nio.file.Path workDir = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));

        @Option(names = "--no-generated", description = "measure only the --model files, not the generated 0.29 B models")
        boolean noGenerated;

        @Option(names = "--types", split = ",", paramLabel = "TYPE,...", description = "matrix types of the generated models: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K (default Q8_0,Q4_0)")
        List<String> types = List.of("Q8_0", "Q4_0");

        @Override
        public Integer call() throws Exception {
            List<String> args = new java.util.ArrayList<>();
            for (java.nio.file.Path m : models) args.addAll(List.of("--model", m.toString()));
            args.addAll(List.of("--levels", levels.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")),
                    "--steps", String.valueOf(steps), "--work-dir", workDir.toString()));
            args.addAll(List.of("--types", String.join(",", types)));
            if (noGenerated) args.add("--no-generated");
            io.genway.llm.llama.LlamaBench.main(args.toArray(String[]::new));
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Genway.class.getPackage().getImplementationVersion();
            return new String[] {"genway " + (v == null ? "(development build)" : v)};
        }
    }
}
