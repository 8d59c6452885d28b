package io.genway.llm.remote;

import static io.genway.llm.remote.FakeUpstream.Chunks.DONE;
import static io.genway.llm.remote.FakeUpstream.Chunks.chat;
import static io.genway.llm.remote.FakeUpstream.Chunks.chatEnd;
import static io.genway.llm.remote.FakeUpstream.Chunks.usage;
import static org.assertj.core.api.Assertions.assertThat;

import io.genway.broker.TestKafka;
import io.genway.schemas.FinishReason;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.StreamEvent;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.Topics;
import io.genway.schemas.Usage;
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

class RemoteEngineWorkerTest {

    @Test
    void upstreamChunksArriveAsTokenEventsFollowedByCompleted() throws Exception {
        Topics topics = new Topics(TestKafka.uniquePrefix());
        PoolSpec pool = new PoolSpec("text", Modality.TEXT, List.of("m"), 100, 512);
        String bootstrap = TestKafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            new TopicSetup(admin, topics, TopicSetup.Settings.DEFAULT).ensure(List.of("text"));
        }
        var request = RemoteTextEngineTest.chatRequest("m", 42, RemoteTextEngineTest.sampling(16, List.of()));
        try (FakeUpstream upstream = new FakeUpstream().streams(Duration.ofMillis(2), chat("The"), chat(" quick"), chat(" fox"), chatEnd("stop"), usage(3, 3), DONE);
             var engine = new RemoteTextEngine(RemoteEngineSettings.of(upstream.baseUrl(), 2), List.of("m"));
             Worker worker = Worker.start(WorkerSettings.of("w1", pool, bootstrap).withTopics(topics), engine);
             var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringSerializer(), new ByteArraySerializer());
             var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", bootstrap), new StringDeserializer(), new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>(topics.requests("text"), request.requestId(), Json.write(request))).get();
            List<StreamEvent> events = eventsUntilTerminal(consumer, topics.events(), Duration.ofSeconds(30));

            assertThat(events.getFirst()).isInstanceOf(StreamEvent.Started.class);
            assertThat(events.stream().filter(e -> e instanceof StreamEvent.Tokens).map(e -> ((StreamEvent.Tokens) e).text()))
                    .containsExactly("The", " quick", " fox");
            assertThat(events.getLast()).isInstanceOfSatisfying(StreamEvent.Completed.class, done -> {
                assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
                assertThat(done.usage()).isEqualTo(new Usage(3, 3));
            });
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
}
