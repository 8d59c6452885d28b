package io.genway.gateway.kafka;

import io.genway.schemas.Cancel;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.JobState;
import io.genway.schemas.Json;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gateway's one producer: idempotent, {@code acks=all}, no linger. An answer to a client is given only after
 * the record it depends on is acknowledged, which is what makes acceptance durable. Futures complete on the
 * caller's Vert.x context, never on Kafka's I/O thread.
 */
public final class Publisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final Vertx vertx;

    /**
     * @param pools the pools whose request topics this gateway writes; their metadata is fetched now, so that a
     *              send on the event loop never waits for it
     */
    public Publisher(Vertx vertx, String bootstrapServers, Topics topics, Map<String, String> extra, java.util.Collection<String> pools) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "genway-gateway");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        this.topics = topics;
        this.vertx = vertx;
        // KafkaProducer.send blocks while it has no metadata for a topic: fetch it before any event loop sends. All
        // topics at once: asked one after another, each waits for a metadata round of its own.
        List<String> warm = java.util.stream.Stream.concat(java.util.stream.Stream.of(topics.events(), topics.jobs(), topics.control()),
                pools.stream().map(topics::requests)).toList();
        try (var each = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> asked = warm.stream().<java.util.concurrent.Future<?>>map(t -> each.submit(() -> producer.partitionsFor(t))).toList();
            for (var f : asked) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    producer.close(java.time.Duration.ZERO);
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    producer.close(java.time.Duration.ZERO);
                    throw new IllegalStateException("interrupted while fetching topic metadata", e);
                }
            }
        }
    }

    public Future<RecordMetadata> request(GenerationRequest request) {
        return send(new ProducerRecord<>(topics.requests(request.pool()), request.requestId(), Json.write(request)));
    }

    public Future<RecordMetadata> event(StreamEvent event) {
        return send(new ProducerRecord<>(topics.events(), event.requestId(), Json.write(event)));
    }

    public Future<RecordMetadata> job(JobState state) {
        return send(new ProducerRecord<>(topics.jobs(), state.jobId(), Json.write(state)));
    }

    public Future<RecordMetadata> cancel(Cancel cancel) {
        return send(new ProducerRecord<>(topics.control(), cancel.requestId(), Json.write(cancel)));
    }

    private Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        Context context = vertx.getOrCreateContext();
        Promise<RecordMetadata> promise = Promise.promise();
        try {
            producer.send(record, (md, error) -> context.runOnContext(v -> {
                if (error != null) promise.fail(error);
                else promise.complete(md);
            }));
        } catch (RuntimeException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
