package io.genway.deploy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code gateway:} the HTTP edge.
 *
 * @param apiKeys   when not empty, every /v1 call needs one of them as a bearer token
 * @param keepAlive how often a stream with nothing to send yet gets an SSE comment, so that proxies keep it open
 * @param stateDir  where the gateway keeps its local Kafka Streams state; null: standalone keeps it under the
 *                  broker's data directory, a gateway role in a temporary directory
 */
public record GatewayConfig(String host, int port, List<String> apiKeys, long maxBodyBytes, Duration workerTimeout,
                            Duration keepAlive, Path stateDir) {
    public static final GatewayConfig DEFAULT = new GatewayConfig("0.0.0.0", 8080, List.of(), 4L * 1024 * 1024, Duration.ofSeconds(5),
            Duration.ofSeconds(10), null);

    public GatewayConfig {
        Check.nonBlank("host", host);
        Check.range("port", port, 0, 65535);
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        for (int i = 0; i < apiKeys.size(); i++) {
            if (apiKeys.get(i).isBlank()) throw new ConfigException("api_keys[" + i + "]", "must not be empty");
        }
        Check.range("max_body_bytes", maxBodyBytes, 1024, 1L << 30);
        Check.range("worker_timeout", workerTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        Check.range("keep_alive", keepAlive, Duration.ofMillis(100), Duration.ofMinutes(10));
    }

    /** Where a browser or curl on this machine reaches the gateway listening on {@code boundPort}. */
    public String localUrl(int boundPort) {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + boundPort;
    }
}
