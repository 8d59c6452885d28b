package io.genway.deploy.config;

import io.genway.schemas.Topics;
import java.util.Map;

/**
 * {@code kafka:} how every role reaches Kafka.
 *
 * @param client extra Kafka client settings (security, timeouts) given to every producer, consumer and admin client
 */
public record KafkaClientConfig(String bootstrapServers, String topicPrefix, Map<String, String> client) {
    public static final KafkaClientConfig DEFAULT = new KafkaClientConfig("127.0.0.1:9092", "genway.", Map.of());

    public KafkaClientConfig {
        Check.nonBlank("bootstrap_servers", bootstrapServers);
        if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]*")) {
            throw new ConfigException("topic_prefix", "may hold only letters, digits, '.', '_' and '-', was '" + topicPrefix + "'");
        }
        client = client == null ? Map.of() : Map.copyOf(client);
        if (client.containsKey("bootstrap.servers")) {
            throw new ConfigException("client.bootstrap.servers", "set kafka.bootstrap_servers instead");
        }
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }
}
