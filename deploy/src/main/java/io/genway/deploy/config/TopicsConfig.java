package io.genway.deploy.config;

import io.genway.schemas.TopicSetup;
import java.time.Duration;

/** {@code topics:} how topics are created and how the pools' share groups hand out requests ({@link TopicSetup}). */
public record TopicsConfig(int requestPartitions, int eventPartitions, Duration leaseDuration, int deliveryLimit, Duration eventRetention) {
    public static final TopicsConfig DEFAULT = new TopicsConfig(1, 8, Duration.ofMinutes(10), 5, Duration.ofHours(24));

    public TopicsConfig {
        Check.range("request_partitions", requestPartitions, 1, 1000);
        Check.range("event_partitions", eventPartitions, 1, 1000);
        // Kafka's own bounds: a share group's record lock lasts at least 1 s, at most the broker's maximum (1 h here).
        Check.range("lease_duration", leaseDuration, Duration.ofSeconds(1), Duration.ofHours(1));
        Check.range("delivery_limit", deliveryLimit, 2, 10);
        Check.range("event_retention", eventRetention, Duration.ofMinutes(1), Duration.ofDays(365));
    }

    public TopicSetup.Settings settings() {
        return new TopicSetup.Settings(requestPartitions, eventPartitions, leaseDuration, deliveryLimit, eventRetention);
    }
}
