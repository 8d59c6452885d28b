package io.genway.gateway.kafka;

import io.genway.schemas.EventsPosition;
import io.genway.schemas.Json;
import io.genway.schemas.StreamEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private volatile boolean closed;

    public EventReplay(String bootstrapServers, String topic, Map<String, String> extra, String requestId, EventsPosition from) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genway-gateway-replay");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.requestId = requestId;
        TopicPartition tp = new TopicPartition(topic, from.partition());
        consumer.assign(List.of(tp));
        consumer.seek(tp, from.offset());
    }

    /**
     * Calls {@code sink} with each batch of the request's events, in order, until a terminal event has been passed
     * to it or {@link #close} is called. {@code sink} returns false to stop early.
     */
    public void run(Predicate<List<StreamEvent>> sink) {
        try (consumer) {
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
