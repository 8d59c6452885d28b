package io.genway.gateway;

import io.genway.schemas.PoolSpec;
import io.genway.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's configuration.
 *
 * @param port          HTTP port; 0 picks a free one ({@link Gateway#port()} tells which)
 * @param apiKeys       when not empty, every /v1 call needs {@code Authorization: Bearer <key>} with one of them
 * @param maxBodyBytes  larger request bodies get 413
 * @param workerTimeout a worker whose last heartbeat is older than this is taken for dead
 * @param kafka         extra client settings (security, timeouts) for every Kafka client the gateway makes
 * @param stateDir      where Kafka Streams keeps its local files; null for a temporary directory
 * @param keepAlive     how often a stream that has nothing to send yet (it waits in the queue) gets an SSE
 *                      comment, so that proxies keep it open
 */
public record GatewaySettings(
        String bootstrapServers,
        Topics topics,
        String host,
        int port,
        List<PoolSpec> pools,
        List<String> apiKeys,
        long maxBodyBytes,
        Duration workerTimeout,
        Map<String, String> kafka,
        String stateDir,
        Duration keepAlive) {

    public GatewaySettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        topics = topics == null ? Topics.DEFAULT : topics;
        host = host == null ? "0.0.0.0" : host;
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
        pools = List.copyOf(pools);
        if (pools.isEmpty()) throw new IllegalArgumentException("at least one pool must be configured");
        if (pools.stream().map(PoolSpec::name).distinct().count() != pools.size()) throw new IllegalArgumentException("pool names must be unique");
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        if (maxBodyBytes <= 0) maxBodyBytes = 4 * 1024 * 1024;
        workerTimeout = workerTimeout == null ? Duration.ofSeconds(5) : workerTimeout;
        kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
        keepAlive = keepAlive == null ? Duration.ofSeconds(10) : keepAlive;
        if (keepAlive.isNegative() || keepAlive.isZero()) throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
    }

    public GatewaySettings(String bootstrapServers, Topics topics, String host, int port, List<PoolSpec> pools, List<String> apiKeys,
                           long maxBodyBytes, Duration workerTimeout, Map<String, String> kafka, String stateDir) {
        this(bootstrapServers, topics, host, port, pools, apiKeys, maxBodyBytes, workerTimeout, kafka, stateDir, null);
    }

    public static GatewaySettings of(String bootstrapServers, int port, List<PoolSpec> pools) {
        return new GatewaySettings(bootstrapServers, Topics.DEFAULT, "0.0.0.0", port, pools, List.of(), 0, null, null, null);
    }
}
