package io.genway.deploy.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code broker:} the embedded Kafka broker of the standalone and kafka roles.
 *
 * @param dataDir  the broker's log and identity (and, in standalone, the gateway's local state); a restart on
 *                 the same directory keeps queued requests and finished results
 * @param port     client port; 0 reuses the last port used with this directory, or picks a free one
 * @param settings broker settings that replace the embedded broker's defaults
 */
public record BrokerConfig(Path dataDir, int port, Map<String, String> settings) {
    public static final BrokerConfig DEFAULT = new BrokerConfig(Path.of("data"), 0, Map.of());

    public BrokerConfig {
        if (dataDir == null || dataDir.toString().isBlank()) throw new ConfigException("data_dir", "required, must not be empty");
        dataDir = dataDir.normalize();
        Check.range("port", port, 0, 65535);
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
