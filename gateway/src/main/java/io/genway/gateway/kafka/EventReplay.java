package io.genway.gateway.kafka;

import io.genway.schemas.EventsPosition;
import io.genway.schemas.Json;
import io.genway.schemas.StreamEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one request's events from where they begin (its {@link EventsPosition}) up to its terminal event: the
 * history and then the live tail, for job event streams and resumed streams. Its own consumer, owned by the
 * thread that calls {@link #run}; {@link #close} may be called from any thread.
 */
public final class EventReplay implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String requestId;
    private final String topic;
    private final EventsPosition from;
    private List<StreamEvent> pending = List.of();
    private volatile boolean closed;

    public EventReplay(String bootstrapServers, String topic, Map<String, String> extra, String requestId, EventsPosition from) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-replay");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        // A position past the log's start that no longer exists lands on the earliest record, which head() rejects.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.requestId = requestId;
        this.from = from;
        this.topic = topic;
        TopicPartition tp = new TopicPartition(topic, from.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, from.offset());
    }

    /**
     * Reads the record at the starting position and returns it if it is this request's {@link StreamEvent.Queued}:
     * the check that a position handed in by a client is real, still stored, and this request's. Empty when it is
     * not, or when nothing arrives within {@code timeout}; the replay is then closed. Call before {@link #run}, on the
     * same thread.
     */
    public Optional<StreamEvent.Queued> head(Duration timeout) {
        Optional<StreamEvent.Queued> head = readHead(timeout);
        if (head.isEmpty()) {
            closed = true;
            consumer.close();
        }
        return head;
    }

    private Optional<StreamEvent.Queued> readHead(Duration timeout) {
        long until = System.nanoTime() + timeout.toNanos();
        try {
            if (from.partition() < 0 || from.offset() < 0 || consumer.partitionsFor(topic, timeout).size() <= from.partition()) {
                return Optional.empty();
            }
            while (!closed && System.nanoTime() < until) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) continue;
                List<StreamEvent> rest = new ArrayList<>();
                StreamEvent.Queued head = null;
                boolean first = true;
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (first) {
                        first = false;
                        if (r.offset() != from.offset() || !requestId.equals(r.key()) || r.value() == null) return Optional.empty();
                        if (!(Json.read(r.value(), StreamEvent.class) instanceof StreamEvent.Queued q)) return Optional.empty();
                        head = q;
                        continue;
                    }
                    if (requestId.equals(r.key()) && r.value() != null) rest.add(Json.read(r.value(), StreamEvent.class));
                }
                pending = rest;
                return Optional.of(head);
            }
        } catch (WakeupException e) {
            // closed from another thread
        }
        return Optional.empty();
    }

    /**
     * Calls {@code sink} with each batch of the request's events, in order, until a terminal event has been passed
     * to it or {@link #close} is called. {@code sink} returns false to stop early.
     */
    public void run(Predicate<List<StreamEvent>> sink) {
        try (consumer) {
            if (!pending.isEmpty()) {
                List<StreamEvent> held = pending;
                pending = List.of();
                if (!sink.test(held) || held.stream().anyMatch(StreamEvent::terminal)) return;
            }
            while (!closed) {
                List<StreamEvent> batch = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (requestId.equals(r.key()) && r.value() != null) batch.add(Json.read(r.value(), StreamEvent.class));
                }
                if (batch.isEmpty()) continue;
                if (!sink.test(batch) || batch.stream().anyMatch(StreamEvent::terminal)) return;
            }
        } catch (WakeupException e) {
            // closed from another thread
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}
