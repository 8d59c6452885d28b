package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.broker.TestKafka;
import io.genway.schemas.Heartbeat;
import io.genway.schemas.Json;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.TopicSetup;
import io.genway.schemas.WorkerProfile;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A request whose worker dies on every delivery ends in the pool's dead-letter topic; its client must then learn
 * that it failed, and why. Here the test itself plays the crashing workers: it takes the request from the share
 * group and drops its connection without acknowledging, as a killed process would.
 */
class DeadLettersTest {

    @Test
    void aRequestThatCrashesEveryWorkerFailsWithAClearReason() throws Exception {
        PoolSpec pool = new PoolSpec("fragile", Modality.TEXT, List.of("fragile-model"), 10, 64);
        try (Platform platform = new Platform(List.of(pool), List.of(),
                new TopicSetup.Settings(1, 2, Duration.ofSeconds(15), 2, Duration.ofHours(1))).startGateway();
             var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            // A worker that says it is alive, so the gateway accepts work for the pool.
            Heartbeat beat = new Heartbeat("crashy", "fragile", Modality.TEXT, List.of("fragile-model"), "crashy", 1, 0, false,
                    System.currentTimeMillis(), System.currentTimeMillis(), 0, -1, WorkerProfile.UNMEASURED, null);
            producer.send(new ProducerRecord<>(platform.topics.workers(), "crashy", Json.write(beat))).get();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Http.post(platform.url("/v1/jobs"), "{\"type\":\"completion\",\"model\":\"nope\",\"prompt\":\"x\"}").statusCode() == 404
                            && new JsonObject(Http.get(platform.url("/v1/pools")).body()).encode().contains("\"live_workers\":1"));

            HttpResponse<String> created = Http.post(platform.url("/v1/jobs"), """
                    {"type":"completion","model":"fragile-model","prompt":"the poison","max_tokens":4}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            String id = new JsonObject(created.body()).getString("id");

            for (int delivery = 1; delivery <= 2; delivery++) {
                try (var crashing = new KafkaShareConsumer<>(Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrapServers(),
                        "group.id", platform.topics.poolGroup("fragile"), "share.acknowledgement.mode", "explicit"),
                        new StringDeserializer(), new ByteArrayDeserializer())) {
                    crashing.subscribe(List.of(platform.topics.requests("fragile")));
                    ConsumerRecords<String, byte[]> got = ConsumerRecords.empty();
                    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (got.isEmpty() && System.nanoTime() < until) got = crashing.poll(Duration.ofMillis(200));
                    assertThat(got.iterator().next().key()).isEqualTo(id);
                    // closed without acknowledging: the lease is given back and the delivery counts
                }
            }

            await().atMost(Duration.ofSeconds(30)).until(() ->
                    new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body()).getString("status").equals("failed"));
            JsonObject job = new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body());
            assertThat(job.getJsonObject("error").getString("code")).isEqualTo("delivery_limit_exceeded");
            assertThat(job.getJsonObject("error").getString("message")).contains("2 delivery attempt");
            List<Http.Sse> events = Http.events(Http.stream(platform.url("/v1/jobs/" + id + "/events"), null));
            assertThat(events.getLast().event()).isEqualTo("failed");
        }
    }
}
