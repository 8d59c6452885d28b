package io.genway.gateway.pools;

import io.genway.schemas.Heartbeat;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.Topics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's live picture of the pools: which workers are alive (their heartbeats on {@code workers}) and how
 * many requests wait in each pool (the share group's lag, less what workers are running).
 *
 * <p>Two threads feed it (the heartbeat consumer, the backlog poller); readers get immutable {@link PoolView}s.
 * Between two backlog polls, requests this gateway accepted are counted on top, so a burst cannot overrun a
 * backlog limit while the poll is stale.
 */
public final class PoolDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolDirectory.class);
    private static final Duration BACKLOG_POLL = Duration.ofMillis(500);

    private record Seen(Heartbeat heartbeat, long receivedAtMs) {
    }

    private final Map<String, PoolSpec> pools = new LinkedHashMap<>();
    private final Topics topics;
    private final Admin admin;
    private final InstantSource clock;
    private final Duration workerTimeout;
    private final KafkaConsumer<String, byte[]> heartbeats;
    private final Map<String, Seen> workers = new ConcurrentHashMap<>();
    private final Map<String, Long> lag = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> acceptedSincePoll = new ConcurrentHashMap<>();
    private final Thread heartbeatThread;
    private final Thread backlogThread;
    private volatile boolean closed;

    public PoolDirectory(List<PoolSpec> specs, Topics topics, String bootstrapServers, Map<String, String> extra,
                         Admin admin, InstantSource clock, Duration workerTimeout) {
        specs.forEach(s -> pools.put(s.name(), s));
        specs.forEach(s -> acceptedSincePoll.put(s.name(), new AtomicLong()));
        this.topics = topics;
        this.admin = admin;
        this.clock = clock;
        this.workerTimeout = workerTimeout;
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-workers");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.heartbeats = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = heartbeats.partitionsFor(topics.workers(), Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        heartbeats.assign(parts);
        heartbeats.seekToBeginning(parts);
        this.heartbeatThread = Thread.ofPlatform().name("genway-pool-heartbeats").daemon().unstarted(this::followHeartbeats);
        this.backlogThread = Thread.ofPlatform().name("genway-pool-backlog").daemon().unstarted(this::pollBacklog);
        heartbeatThread.start();
        refreshBacklog();
        backlogThread.start();
    }

    public List<PoolSpec> specs() {
        return List.copyOf(pools.values());
    }

    public Optional<PoolSpec> pool(String name) {
        return Optional.ofNullable(pools.get(name));
    }

    /** Pools of this modality serving {@code model}; when model is null, every pool of the modality. */
    public List<PoolSpec> candidates(Modality modality, String model) {
        return pools.values().stream().filter(p -> p.modality() == modality && (model == null || p.serves(model))).toList();
    }

    public PoolView view(String pool) {
        PoolSpec spec = pools.get(pool);
        long now = clock.millis();
        List<Heartbeat> live = new ArrayList<>();
        for (Seen seen : workers.values()) {
            Heartbeat h = seen.heartbeat();
            if (h.pool().equals(pool) && !h.draining() && now - seen.receivedAtMs() <= workerTimeout.toMillis()) live.add(h);
        }
        long busy = live.stream().mapToInt(Heartbeat::busy).sum();
        long inKafka = lag.getOrDefault(pool, 0L);
        long queued = Math.max(0, inKafka - busy) + acceptedSincePoll.get(pool).get();
        return new PoolView(spec, List.copyOf(live), queued, busy);
    }

    /** Counts a request this gateway just put on the pool's queue. */
    public void accepted(String pool) {
        acceptedSincePoll.get(pool).incrementAndGet();
    }

    private void followHeartbeats() {
        try {
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : heartbeats.poll(Duration.ofMillis(500))) {
                    if (r.key() == null) continue;
                    if (r.value() == null) {
                        workers.remove(r.key());
                        continue;
                    }
                    try {
                        Heartbeat h = Json.read(r.value(), Heartbeat.class);
                        // Liveness is judged by when this gateway heard the beat: the worker's clock may differ.
                        long age = Math.max(0, System.currentTimeMillis() - r.timestamp());
                        long received = clock.millis() - age;
                        workers.put(r.key(), new Seen(h, received));
                    } catch (RuntimeException e) {
                        log.warn("unreadable heartbeat from {}: {}", r.key(), e.getMessage());
                    }
                }
                long now = clock.millis();
                workers.values().removeIf(s -> now - s.receivedAtMs() > Duration.ofMinutes(10).toMillis());
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("heartbeat follower stopped: pools will look dead", e);
        } finally {
            heartbeats.close(Duration.ofSeconds(2));
        }
    }

    private void pollBacklog() {
        while (!closed) {
            try {
                Thread.sleep(BACKLOG_POLL);
            } catch (InterruptedException e) {
                return;
            }
            refreshBacklog();
        }
    }

    /**
     * Lag of each pool's share group: records not yet acknowledged, so waiting and running ones. A partition no
     * member has read yet has no share-group entry; it counts its whole log (the group starts from earliest).
     */
    private void refreshBacklog() {
        Map<String, Long> acceptedBefore = new HashMap<>();
        acceptedSincePoll.forEach((pool, count) -> acceptedBefore.put(pool, count.get()));
        try {
            Map<String, ListShareGroupOffsetsSpec> specs = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<String, List<TopicPartition>> partitionsOf = new HashMap<>();
            var described = admin.describeTopics(pools.keySet().stream().map(topics::requests).toList()).allTopicNames().get(10, TimeUnit.SECONDS);
            for (String pool : pools.keySet()) {
                List<TopicPartition> tps = described.get(topics.requests(pool)).partitions().stream()
                        .map(p -> new TopicPartition(topics.requests(pool), p.partition())).toList();
                partitionsOf.put(pool, tps);
                specs.put(topics.poolGroup(pool), new ListShareGroupOffsetsSpec().topicPartitions(tps));
                tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                tps.forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
            }
            // Three independent questions, asked together.
            var askedGroups = admin.listShareGroupOffsets(specs).all();
            var askedEnds = admin.listOffsets(latest).all();
            var askedStarts = admin.listOffsets(earliest).all();
            var groupOffsets = askedGroups.get(10, TimeUnit.SECONDS);
            var ends = askedEnds.get(10, TimeUnit.SECONDS);
            var starts = askedStarts.get(10, TimeUnit.SECONDS);
            for (String pool : pools.keySet()) {
                Map<TopicPartition, SharePartitionOffsetInfo> info = groupOffsets.getOrDefault(topics.poolGroup(pool), Map.of());
                long total = 0;
                for (TopicPartition tp : partitionsOf.get(pool)) {
                    SharePartitionOffsetInfo i = info.get(tp);
                    if (i != null && i.lag().isPresent()) total += i.lag().get();
                    else total += ends.get(tp).offset() - starts.get(tp).offset();
                }
                lag.put(pool, total);
                acceptedSincePoll.get(pool).addAndGet(-acceptedBefore.get(pool));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) log.debug("backlog poll failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        heartbeats.wakeup();
        backlogThread.interrupt();
        try {
            heartbeatThread.join(5000);
            backlogThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
