package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.broker.TestKafka;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.ResultRef;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.schemas.Usage;
import io.genway.worker.Worker;
import io.genway.worker.WorkerSettings;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
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
import org.junit.jupiter.api.Test;

class SyntheticImageWorkerTest {
    private static final int STEPS = 6;

    @Test
    void anImageJobReportsEveryStepThenItsStoredPngThenCompletes() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        PoolSpec pool = new PoolSpec("images", Modality.IMAGE, List.of("sd"), 100, 512);
        String bootstrap = TestKafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicSetup(admin, topics, TopicSetup.Settings.DEFAULT).ensure(List.of("images"));
        }
        GenerationRequest request = SyntheticImageEngineTest.request("a red circle on a blue background", 11, 1, 64, 64, STEPS);
        try (var engine = new SyntheticImageEngine(List.of("sd"), 1, Duration.ofMillis(5));
             Worker worker = Worker.start(WorkerSettings.of("w1", pool, bootstrap).withTopics(topics), engine);
             var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>(topics.requests("images"), request.requestId(), Json.write(request))).get();
            List<StreamEvent> events = eventsUntilTerminal(consumer, topics.events(), Duration.ofSeconds(30));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Progress).map(e -> ((StreamEvent.Progress) e).step()))
                    .isEqualTo(IntStream.rangeClosed(1, STEPS).boxed().toList());
            assertThat(events.get(events.size() - 2)).isInstanceOf(StreamEvent.ImageReady.class);
            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Completed.class, done -> {
                assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(done.usage()).isEqualTo(new Usage(0, 1));
            });

            ResultRef ref = ((StreamEvent.ImageReady) events.get(events.size() - 2)).ref();
            assertThat(ref.contentType()).isEqualTo("image/png");
            BufferedImage image = SyntheticImageEngineTest.decode(fetch(consumer, topics.results(), ref));
            assertThat(image.getWidth()).isEqualTo(64);
            assertThat(image.getRGB(32, 32) & 0xFFFFFF).isEqualTo(0xDC1E1E); // the red of the circle
        }
    }

    private static List<StreamEvent> eventsUntilTerminal(KafkaConsumer<String, byte[]> consumer, String topic, Duration limit) {
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        List<StreamEvent> events = new ArrayList<>();
        long until = System.nanoTime() + limit.toNanos();
        while ((events.isEmpty() || !events.getLast().terminal()) && System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                events.add(Json.read(r.value(), StreamEvent.class));
            }
        }
        return events;
    }

    /** The claim check's record: one partition, one offset. */
    private static byte[] fetch(KafkaConsumer<String, byte[]> consumer, String topic, ResultRef ref) {
        TopicPartition partition = new TopicPartition(topic, ref.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, ref.offset());
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() == ref.offset()) {
                    assertThat(r.key()).isEqualTo(ref.key());
                    assertThat(r.value()).hasSize(ref.bytes());
                    return r.value();
                }
            }
        }
        throw new AssertionError("no record at " + ref);
    }
}
