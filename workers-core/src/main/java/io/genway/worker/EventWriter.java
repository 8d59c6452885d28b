package io.genway.worker;

import io.genway.schemas.EventHeaders;
import io.genway.schemas.JobState;
import io.genway.schemas.Json;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Topics;
import io.genway.schemas.TopicSetup;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The worker's one producer: idempotent, {@code acks=all}, no linger (tokens are latency-bound). Thread-safe; the
 * futures complete on the producer's I/O thread, so callers must not block in their continuations.
 */
final class EventWriter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final byte[] pool;

    EventWriter(String bootstrapServers, Topics topics, String pool, Map<String, String> extra, String clientId) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicSetup.MAX_RESULT_BYTES + 64 * 1024);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
        this.pool = pool.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    CompletableFuture<RecordMetadata> event(StreamEvent event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.events(), event.requestId(), Json.write(event));
        record.headers().add(EventHeaders.POOL, pool);
        record.headers().add(EventHeaders.TYPE, EventHeaders.typeOf(event).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return send(record);
    }

    CompletableFuture<RecordMetadata> job(JobState state) {
        return send(new ProducerRecord<>(topics.jobs(), state.jobId(), Json.write(state)));
    }

    CompletableFuture<ResultRef> result(String key, byte[] bytes, String contentType) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.results(), key, bytes);
        record.headers().add(new RecordHeader("content-type", contentType.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return send(record).thenApply(md -> new ResultRef(key, md.partition(), md.offset(), contentType, bytes.length));
    }

    CompletableFuture<RecordMetadata> heartbeat(String workerId, byte[] valueOrNull) {
        return send(new ProducerRecord<>(topics.workers(), workerId, valueOrNull));
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        producer.send(record, (md, error) -> {
            if (error != null) done.completeExceptionally(error);
            else done.complete(md);
        });
        return done;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
