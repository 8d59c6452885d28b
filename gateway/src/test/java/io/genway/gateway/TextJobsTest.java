package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TextJobsTest {
    static Platform platform;
    static RecordingEngine slow;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(
                new PoolSpec("text", Modality.TEXT, List.of("tiny"), 100, 512),
                new PoolSpec("slow", Modality.TEXT, List.of("slow-model"), 100, 512)));
        platform.startWorker("text", "w-jobs-text", new SyntheticTextEngine(List.of("tiny"), 4, Duration.ZERO, Duration.ofMillis(1)));
        slow = new RecordingEngine(new SyntheticTextEngine(List.of("slow-model"), 1, Duration.ZERO, Duration.ofMillis(100)));
        platform.startWorker("slow", "w-jobs-slow", slow).id();
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static JsonObject create(String body) {
        HttpResponse<String> response = Http.post(platform.url("/v1/jobs"), body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("location")).isPresent();
        return new JsonObject(response.body());
    }

    private static JsonObject job(String id) {
        HttpResponse<String> response = Http.get(platform.url("/v1/jobs/" + id));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static String status(String id) {
        return job(id).getString("status");
    }

    @Test
    void acceptsATextJobAndServesItsStateEventsAndResult() {
        JsonObject accepted = create("""
                {"type":"completion","model":"tiny","prompt":"red green blue","max_tokens":6,"temperature":0}""");
        String id = accepted.getString("id");
        assertThat(accepted.getString("status")).isEqualTo("queued");
        assertThat(accepted.getInteger("queue_position")).isNotNull();
        assertThat(accepted.getDouble("eta_seconds")).isNotNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("completed"));

        JsonObject done = job(id);
        assertThat(done.getString("finish_reason")).isEqualTo("length");
        assertThat(done.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(6);
        JsonObject result = new JsonObject(Http.get(platform.url("/v1/jobs/" + id + "/result")).body());
        assertThat(result.getString("text")).isEqualTo("red green blue red green blue");

        List<Http.Sse> events = Http.events(Http.stream(platform.url("/v1/jobs/" + id + "/events"), null));
        assertThat(events).extracting(Http.Sse::event).startsWith("queued", "started").endsWith("completed");
        assertThat(events.stream().filter(e -> "tokens".equals(e.event())).map(e -> e.json().getString("text")).reduce("", String::concat))
                .isEqualTo("red green blue red green blue");
    }

    @Test
    void resumesJobEventsAfterTheLastEventIdItWasGiven() {
        String id = create("""
                {"type":"completion","model":"tiny","prompt":"a b","max_tokens":5,"temperature":0}""").getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("completed"));
        List<Http.Sse> resumed = Http.events(Http.stream(platform.url("/v1/jobs/" + id + "/events"), null, "Last-Event-ID", "3"));
        assertThat(resumed.stream().filter(e -> "tokens".equals(e.event())).map(Http.Sse::id).toList()).containsExactly("4", "5");
        assertThat(resumed.getLast().event()).isEqualTo("completed");
    }

    @Test
    void cancelsAQueuedJobBeforeItStarts() {
        String running = create("""
                {"type":"completion","model":"slow-model","prompt":"x","max_tokens":200}""").getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.started.contains(running));
        String queued = create("""
                {"type":"completion","model":"slow-model","prompt":"y","max_tokens":3}""").getString("id");

        HttpResponse<String> cancel = Http.delete(platform.url("/v1/jobs/" + queued));
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(cancel.body()).getString("status")).isEqualTo("cancelled");

        HttpResponse<String> stopRunning = Http.delete(platform.url("/v1/jobs/" + running));
        assertThat(stopRunning.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(running).equals("cancelled"));
        assertThat(slow.cancelled).contains(running);
        // The worker is free again and has fetched the cancelled job: it skipped it without running it.
        String after = create("""
                {"type":"completion","model":"slow-model","prompt":"z","max_tokens":2}""").getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(after).equals("completed"));
        assertThat(slow.started).doesNotContain(queued);
        assertThat(status(queued)).isEqualTo("cancelled");
    }

    @Test
    void cancellingAFinishedJobIsANoOp() {
        String id = create("""
                {"type":"completion","model":"tiny","prompt":"done","max_tokens":2}""").getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("completed"));
        HttpResponse<String> cancel = Http.delete(platform.url("/v1/jobs/" + id));
        assertThat(cancel.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(cancel.body()).getString("status")).isEqualTo("completed");
        assertThat(new JsonObject(cancel.body()).getString("cancel")).startsWith("noop");
    }

    @Test
    void answersAnUnknownJobWith404() {
        HttpResponse<String> response = Http.get(platform.url("/v1/jobs/job-nope"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("job_not_found");
    }

    @Test
    void refusesTheResultOfAJobThatIsNotFinished() {
        String id = create("""
                {"type":"completion","model":"slow-model","prompt":"wait","max_tokens":30}""").getString("id");
        HttpResponse<String> response = Http.get(platform.url("/v1/jobs/" + id + "/result"));
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("result_not_ready");
        Http.delete(platform.url("/v1/jobs/" + id));
    }

    @Test
    void aRestartedGatewayStillAnswersForEveryJob() {
        String id = create("""
                {"type":"completion","model":"tiny","prompt":"keep me","max_tokens":3,"temperature":0}""").getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("completed"));
        platform.gateway.close();
        platform.startGateway();
        JsonObject after = job(id);
        assertThat(after.getString("status")).isEqualTo("completed");
        assertThat(new JsonObject(Http.get(platform.url("/v1/jobs/" + id + "/result")).body()).getString("text")).isEqualTo("keep me keep");
    }
}
