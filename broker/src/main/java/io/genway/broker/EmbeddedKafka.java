package io.genway.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one node) running inside this JVM, its data on
 * local disk. A restart on the same directory keeps every topic, offset and share-group state: the cluster id
 * and the ports are persisted beside the data ({@value #IDENTITY_FILE}).
 *
 * <p>Settings are those a single node needs (internal topics at replication 1, share groups on) plus bounds
 * raised for genway's use of share groups: a request's lease may last as long as a long generation.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    static final String IDENTITY_FILE = "genway-broker.properties";

    private final Path dataDir;
    private final int brokerPort;
    private final KafkaRaftServer server;
    private volatile boolean stopped;

    private EmbeddedKafka(Path dataDir, int brokerPort, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.brokerPort = brokerPort;
        this.server = server;
    }

    /**
     * Formats the directory if it is new, then starts the broker and returns once it accepts clients.
     *
     * @param dataDir    where the log lives; created if missing
     * @param port       the client port; 0 keeps the port used last time in this directory, or picks a free one
     * @param overrides  broker settings that replace the defaults (tests shorten timeouts with them)
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) {
        Objects.requireNonNull(dataDir, "dataDir");
        try {
            Files.createDirectories(dataDir);
            Properties identity = loadIdentity(dataDir);
            String clusterId = identity.getProperty("cluster.id", Uuid.randomUuid().toString());
            int brokerPort = port != 0 ? port : reusablePort(identity.getProperty("broker.port"));
            int controllerPort = reusablePort(identity.getProperty("controller.port"));
            if (controllerPort == brokerPort) controllerPort = freePort();
            identity.setProperty("cluster.id", clusterId);
            identity.setProperty("broker.port", Integer.toString(brokerPort));
            identity.setProperty("controller.port", Integer.toString(controllerPort));

            Path logDir = dataDir.resolve("kafka");
            Map<String, String> props = settings(logDir, brokerPort, controllerPort);
            props.putAll(overrides);
            KafkaConfig config = new KafkaConfig(props, false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(logDir, clusterId);
            }
            storeIdentity(dataDir, identity);

            long t0 = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            log.info("Kafka broker up on 127.0.0.1:{} in {} ms (data {})", brokerPort, (System.nanoTime() - t0) / 1_000_000, dataDir);
            return new EmbeddedKafka(dataDir, brokerPort, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker in " + dataDir, e);
        }
    }

    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0, Map.of());
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (stopped) return;
        stopped = true;
        server.shutdown();
        server.awaitShutdown();
        log.info("Kafka broker stopped");
    }

    static Map<String, String> settings(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // One node: every internal topic at replication 1, or coordinators are never found and clients get nothing.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.streams.initial.rebalance.delay.ms", "0");
        // The default 128 MiB of heap for compaction is far too much for a broker that lives beside the gateway.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "5000");
        // Share groups: fast joins, and a lease (record lock) long enough for a long generation.
        p.put("group.share.heartbeat.interval.ms", "1000");
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.session.timeout.ms", "10000");
        p.put("group.share.min.session.timeout.ms", "6000");
        p.put("group.share.max.record.lock.duration.ms", "3600000");
        p.put("group.share.record.lock.duration.ms", "600000");
        p.put("group.share.max.size", "1000");
        p.put("errors.deadletterqueue.auto.create.topics.enable", "false");
        p.put("group.consumer.heartbeat.interval.ms", "1000");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.session.timeout.ms", "10000");
        p.put("group.consumer.min.session.timeout.ms", "6000");
        p.put("message.max.bytes", Integer.toString(17 * 1024 * 1024));
        p.put("replica.fetch.max.bytes", Integer.toString(17 * 1024 * 1024));
        return p;
    }

    private static void format(Path logDir, String clusterId) throws IOException {
        Files.createDirectories(logDir);
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(clusterId)
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(logDir.toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setUnstableFeatureVersionsEnabled(false)
                    .run();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    private static Properties loadIdentity(Path dataDir) throws IOException {
        Properties p = new Properties();
        Path file = dataDir.resolve(IDENTITY_FILE);
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
        }
        return p;
    }

    private static void storeIdentity(Path dataDir, Properties identity) throws IOException {
        try (OutputStream out = Files.newOutputStream(dataDir.resolve(IDENTITY_FILE))) {
            identity.store(out, "genway embedded broker: keep with the data (the cluster id must match the log)");
        }
    }

    /** The port used last time if it is free again, else a fresh one; a controller on port 0 would hang startup. */
    private static int reusablePort(String previous) throws IOException {
        if (previous != null) {
            int port = Integer.parseInt(previous);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException busy) {
                log.warn("port {} from the last run is busy; picking another", port);
            }
        }
        return freePort();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
