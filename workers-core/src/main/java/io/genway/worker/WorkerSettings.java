package io.genway.worker;

import io.genway.schemas.PoolSpec;
import io.genway.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One worker's configuration.
 *
 * @param slots             requests run at once; 0 takes the engine's own slot count
 * @param heartbeatInterval how often the worker tells gateways it is alive (they call it dead after three misses)
 * @param drainTimeout      on stop, how long running requests may take to finish before they are handed back
 * @param kafka             extra client settings (security, timeouts) for every client the worker makes
 */
public record WorkerSettings(
        String workerId,
        PoolSpec pool,
        String bootstrapServers,
        Topics topics,
        int slots,
        Duration heartbeatInterval,
        Duration drainTimeout,
        Map<String, String> kafka) {

    public WorkerSettings {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        topics = topics == null ? Topics.DEFAULT : topics;
        if (slots < 0) throw new IllegalArgumentException("slots must be >= 0");
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(1) : heartbeatInterval;
        drainTimeout = drainTimeout == null ? Duration.ofSeconds(30) : drainTimeout;
        kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
    }

    public static WorkerSettings of(String workerId, PoolSpec pool, String bootstrapServers) {
        return new WorkerSettings(workerId, pool, bootstrapServers, Topics.DEFAULT, 0, null, null, null);
    }

    public WorkerSettings withTopics(Topics newTopics) {
        return new WorkerSettings(workerId, pool, bootstrapServers, newTopics, slots, heartbeatInterval, drainTimeout, kafka);
    }

    public WorkerSettings withSlots(int newSlots) {
        return new WorkerSettings(workerId, pool, bootstrapServers, topics, newSlots, heartbeatInterval, drainTimeout, kafka);
    }
}
