package io.genway.worker;

import io.genway.broker.TestKafka;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Json;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.worker.engine.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One pool on the shared test broker, under a topic prefix of its own, driven as the gateway would drive it:
 * requests in, events and results out. For worker and engine tests that go through real Kafka.
 */
public final class PoolHarness implements AutoCloseable {
    private final PoolSpec pool;
    private final Topics topics = new Topics(TestKafka.uniquePrefix());
    private final String bootstrap = TestKafka.bootstrapServers();
    private final List<Worker> workers = new ArrayList<>();
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;

    public PoolHarness(PoolSpec pool) {
        this.pool = pool;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicSetup(admin, topics, TopicSetup.Settings.DEFAULT).ensure(List.of(pool.name()));
        }
        this.producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer());
    }

    public Topics topics() {
        return topics;
    }

    public Worker startWorker(String workerId, Engine engine) {
        Worker worker = Worker.start(WorkerSettings.of(workerId, pool, bootstrap).withTopics(topics), engine);
        workers.add(worker);
        return worker;
    }

    public void submit(GenerationRequest request) {
        try {
            producer.send(new ProducerRecord<>(topics.requests(pool.name()), request.requestId(), Json.write(request))).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("cannot submit " + request.requestId(), e);
        }
    }

    /** The request's events from the beginning of the log up to its terminal event (or the time limit). */
    public List<StreamEvent> eventsUntilTerminal(String requestId, Duration limit) {
        List<TopicPartition> parts = consumer.partitionsFor(topics.events()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        List<StreamEvent> events = new ArrayList<>();
        long until = System.nanoTime() + limit.toNanos();
        while ((events.isEmpty() || !events.getLast().terminal()) && System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (requestId.equals(r.key())) events.add(Json.read(r.value(), StreamEvent.class));
            }
        }
        return events;
    }

    /** The claim check's record: one partition, one offset; null if it is not there. */
    public byte[] result(ResultRef ref) {
        TopicPartition partition = new TopicPartition(topics.results(), ref.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, ref.offset());
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() == ref.offset() && ref.key().equals(r.key())) return r.value();
            }
        }
        return null;
    }

    @Override
    public void close() {
        workers.forEach(Worker::close);
        producer.close();
        consumer.close();
    }
}
