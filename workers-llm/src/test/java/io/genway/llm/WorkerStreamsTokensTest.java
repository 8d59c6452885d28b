package io.genway.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.broker.TestKafka;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TextInput;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.worker.Worker;
import io.genway.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

class WorkerStreamsTokensTest {

    @Test
    void streamsEveryTokenOfARequestInOrderThenCompletes() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        PoolSpec pool = new PoolSpec("text", Modality.TEXT, List.of("m"), 100, 512);
        String bootstrap = TestKafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicSetup(admin, topics, TopicSetup.Settings.DEFAULT).ensure(List.of("text"));
        }
        var engine = new SyntheticTextEngine(List.of("m"), 4, Duration.ZERO, Duration.ofMillis(2));
        var request = new GenerationRequest("r1", RequestKind.CHAT, false, "text", "m",
                new TextInput(List.of(new ChatMessage("user", "one two three four")), null,
                        new SamplingParams(12, 0.8, 1, 0, 0, List.of())), null,
                42, System.currentTimeMillis(), 0, "", false, null, 0);
        try (Worker worker = Worker.start(WorkerSettings.of("w1", pool, bootstrap).withTopics(topics), engine);
             var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>(topics.requests("text"), "r1", Json.write(request))).get();
            List<TopicPartition> parts = consumer.partitionsFor(topics.events()).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            List<StreamEvent> events = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((events.isEmpty() || !events.getLast().terminal()) && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    events.add(Json.read(r.value(), StreamEvent.class));
                }
            }
            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.getLast()).isInstanceOf(StreamEvent.Completed.class);
            List<String> text = events.stream().filter(e -> e instanceof StreamEvent.Tokens).map(e -> ((StreamEvent.Tokens) e).text()).toList();
            assertThat(text).isEqualTo(SyntheticTextEngine.tokensFor(request));
            assertThat(events.stream().filter(StreamEvent::content).map(StreamEvent::seq).toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 13).boxed().toList());
        }
    }
}
