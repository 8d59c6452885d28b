package io.genway.gateway.kafka;

import io.genway.schemas.EventHeaders;
import io.genway.schemas.Json;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import io.genway.schemas.StreamEvent;
import io.vertx.core.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 * The live tail of the {@code events} topic, fanned out to the streams this gateway instance serves.
 *
 * <p>One thread owns the consumer; after each poll it groups the records by request and hands each stream its
 * batch on that stream's Vert.x context (one hop per batch, not per record). A stream must {@link #subscribe}
 * before its request is produced, so that no event of it can pass unseen; events of requests served by other
 * gateway instances are skipped by key without being parsed.
 */
public final class EventHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);

    private record Subscriber(Context context, Consumer<List<StreamEvent>> handler) {
    }

    /** Told of every event a worker wrote, of any request, by pool and type (from headers: nothing is parsed). */
    public interface Tally {
        Tally NONE = (pool, type) -> { };

        void produced(String pool, String type);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Thread thread;
    private final Tally tally;
    private volatile boolean closed;

    public EventHub(String bootstrapServers, String topic, Map<String, String> extra, Tally tally) {
        this.tally = tally;
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-events");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolve the end positions now: a stream that subscribes after this returns sees every later event.
        partitions.forEach(consumer::position);
        this.thread = Thread.ofPlatform().name("genway-event-hub").daemon().unstarted(this::loop);
        thread.start();
    }

    /** Delivers the request's events from now on, in order, in batches, on {@code context}. */
    public void subscribe(String requestId, Context context, Consumer<List<StreamEvent>> handler) {
        subscribers.put(requestId, new Subscriber(context, handler));
    }

    public void unsubscribe(String requestId) {
        subscribers.remove(requestId);
    }

    public int streams() {
        return subscribers.size();
    }

    private void loop() {
        try {
            while (!closed) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) count(record);
                if (records.isEmpty() || subscribers.isEmpty()) continue;
                Map<String, List<StreamEvent>> batches = new HashMap<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.key() == null || record.value() == null || !subscribers.containsKey(record.key())) continue;
                    try {
                        batches.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Json.read(record.value(), StreamEvent.class));
                    } catch (RuntimeException e) {
                        log.warn("unreadable event for {} skipped: {}", record.key(), e.getMessage());
                    }
                }
                batches.forEach((requestId, events) -> {
                    Subscriber s = subscribers.get(requestId);
                    if (s != null) s.context().runOnContext(v -> s.handler().accept(events));
                });
            }
        } catch (WakeupException e) {
            if (!closed) log.error("event hub woken unexpectedly", e);
        } catch (RuntimeException e) {
            log.error("event hub stopped: streams on this gateway get no more events", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void count(ConsumerRecord<String, byte[]> record) {
        Header pool = record.headers().lastHeader(EventHeaders.POOL);
        Header type = record.headers().lastHeader(EventHeaders.TYPE);
        if (pool != null && type != null) {
            tally.produced(new String(pool.value(), StandardCharsets.UTF_8), new String(type.value(), StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
