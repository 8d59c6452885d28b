package io.genway.deploy;

import static org.awaitility.Awaitility.await;

import io.genway.broker.TestKafka;
import io.genway.deploy.config.ConfigLoader;
import io.genway.deploy.config.GenwayConfig;
import io.genway.worker.Worker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A gateway and workers on the shared test broker, any of which can be killed: a child is a separate JVM running
 * {@code genway worker} or {@code genway gateway}, so {@link Process#destroyForcibly()} is a real SIGKILL and its
 * Kafka connections drop the way a crashed machine's would. The gateway runs in this JVM unless the rig is made
 * for a child gateway ({@link #withChildGateway}), which then always listens on the same port.
 */
final class CrashRig implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Path dir;
    private final Path configFile;
    private final GenwayConfig config;
    private final Roles roles;
    private final Running running = new Running();
    private final List<Process> children = new ArrayList<>();
    private final List<Path> childLogs = new ArrayList<>();
    private final int port;
    private int workersHere;

    /** A rig with the default {@code topics:} settings. */
    CrashRig(Path dir, String pools) {
        this(dir, "{}", pools);
    }

    /**
     * @param topics the YAML map under {@code topics:}, e.g. {@code { request_partitions: 1 }}
     * @param pools  the YAML list under {@code pools:}, one pool a line
     */
    CrashRig(Path dir, String topics, String pools) {
        this(dir, topics, pools, true);
    }

    /** A rig whose gateway runs as a child JVM, started (and restarted) with {@link #startChildGateway}. */
    static CrashRig withChildGateway(Path dir, String pools) {
        return new CrashRig(dir, "{}", pools, false);
    }

    private CrashRig(Path dir, String topics, String pools, boolean gatewayHere) {
        this.dir = dir;
        this.configFile = dir.resolve("genway.yaml");
        String yaml = """
                kafka: { bootstrap_servers: "%s", topic_prefix: "%s" }
                gateway: { port: 0 }
                topics: %s
                pools:
                %s
                """.formatted(TestKafka.bootstrapServers(), TestKafka.uniquePrefix(), topics, pools.indent(2));
        try {
            Files.createDirectories(dir);
            Files.writeString(configFile, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.config = new ConfigLoader(Map.of(), dir).load(configFile, List.of());
        this.roles = Roles.forThisProcess(config);
        if (gatewayHere) {
            roles.gateway(running);
            this.port = running.gateway().orElseThrow().port();
        } else {
            roles.ensureTopics(TestKafka.bootstrapServers(), config.poolNames());
            this.port = freePort();
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code genway gateway} in a child JVM on the rig's port and waits until it answers ready. */
    Process startChildGateway() {
        Process child = startChild("gateway", "gateway", "--port", Integer.toString(port));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!child.isAlive()) throw new AssertionError("gateway JVM exited with " + child.exitValue() + "\n" + childLogs());
            try {
                return HTTP.send(request("/health/ready").GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return child;
    }

    private Process startChild(String name, String... args) {
        Path log = dir.resolve(name + "-" + (childLogs.size() + 1) + ".log");
        childLogs.add(log);
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Genway.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--bootstrap-servers", TestKafka.bootstrapServers(), "--config", configFile.toString()));
        Process child;
        try {
            child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        children.add(child);
        return child;
    }

    int port() {
        return port;
    }

    /** Starts {@code genway worker --pool pool} in a child JVM and waits until the gateway sees it alive. */
    Process startChildWorker(String pool) {
        Process child = startChild("worker", "worker", "--pool", pool);
        String id = roles.workerId(pool, 0).replace("-" + ProcessHandle.current().pid() + "-", "-" + child.pid() + "-");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!child.isAlive()) throw new AssertionError("worker JVM exited with " + child.exitValue() + "\n" + childLogs());
            return liveWorkerIds(pool).contains(id);
        });
        return child;
    }

    /** Starts one more worker of {@code pool} in this JVM; it stops with the rig or when closed. */
    Worker startWorkerHere(String pool) {
        var p = config.requirePool(pool);
        return running.add(Worker.start(roles.workerSettings(p, TestKafka.bootstrapServers(), workersHere++), roles.engine(p),
                InstantSource.system(), config.topics().settings()));
    }

    List<String> liveWorkerIds(String pool) {
        JsonArray data = new JsonObject(get("/v1/pools").body()).getJsonArray("data");
        for (int i = 0; i < data.size(); i++) {
            JsonObject p = data.getJsonObject(i);
            if (!p.getString("name").equals(pool)) continue;
            return p.getJsonArray("workers").stream().map(w -> ((JsonObject) w).getString("id")).toList();
        }
        throw new AssertionError("no pool " + pool);
    }

    /** What the most recently started child has printed so far. */
    String lastChildLog() {
        try {
            return Files.readString(childLogs.getLast());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String childLogs() {
        StringBuilder s = new StringBuilder();
        for (Path log : childLogs) {
            s.append("---- ").append(log.getFileName()).append('\n');
            try {
                s.append(Files.exists(log) ? Files.readString(log) : "(none)\n");
            } catch (IOException e) {
                s.append(e).append('\n');
            }
        }
        return s.toString();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60));
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)),
                HttpResponse.BodyHandlers.ofString());
    }

    static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return HTTP.send(request.build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Process child : children) child.destroyForcibly();
        running.close();
    }
}
