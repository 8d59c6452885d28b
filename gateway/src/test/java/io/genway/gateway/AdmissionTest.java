package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    static Platform platform;
    static RecordingEngine narrow;
    static RecordingEngine streaming;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(
                new PoolSpec("narrow", Modality.TEXT, List.of("narrow-model"), 2, 512),
                new PoolSpec("stream", Modality.TEXT, List.of("stream-model"), 50, 4096),
                new PoolSpec("empty", Modality.TEXT, List.of("nobody-serves"), 10, 512),
                new PoolSpec("single", Modality.TEXT, List.of("single-model"), 10, 512)));
        platform.startWorker("single", "w-single", new SyntheticTextEngine(List.of("single-model"), 1, Duration.ZERO, Duration.ofMillis(50)));
        narrow = new RecordingEngine(new SyntheticTextEngine(List.of("narrow-model"), 1, Duration.ZERO, Duration.ofMillis(60)));
        platform.startWorker("narrow", "w-narrow", narrow);
        streaming = new RecordingEngine(new SyntheticTextEngine(List.of("stream-model"), 4, Duration.ZERO, Duration.ofMillis(50)));
        platform.startWorker("stream", "w-stream", streaming);
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void answers503WhenThePoolHasNoLiveWorker() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"nobody-serves","messages":[{"role":"user","content":"hello"}]}""");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("no_live_worker");
    }

    @Test
    void answers429WithRetryAfterOnceTheBacklogIsFullAndLosesNothingAccepted() {
        await().atMost(Duration.ofSeconds(10)).until(() -> liveWorkers("narrow") == 1);
        List<String> accepted = new ArrayList<>();
        HttpResponse<String> rejected = null;
        for (int i = 0; i < 10 && rejected == null; i++) {
            HttpResponse<String> r = Http.post(platform.url("/v1/jobs"), """
                    {"type":"completion","model":"narrow-model","prompt":"p q","max_tokens":8}""");
            if (r.statusCode() == 202) accepted.add(new JsonObject(r.body()).getString("id"));
            else rejected = r;
        }
        assertThat(rejected).as("a request past the backlog limit").isNotNull();
        assertThat(rejected.statusCode()).isEqualTo(429);
        assertThat(rejected.headers().firstValueAsLong("retry-after").orElse(0)).isPositive();
        assertThat(new JsonObject(rejected.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
        // While a backlog poll is stale the gateway counts conservatively (it may refuse early, never overrun the limit).
        assertThat(accepted).hasSizeBetween(1, 4);
        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.stream().allMatch(id ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + id)).body()).getString("status").equals("completed")));
    }

    @Test
    void aClientThatDisconnectsCancelsItsStreamAtTheWorker() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(platform.url("/v1/chat/completions")))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"stream-model","stream":true,"max_tokens":2000,"messages":[{"role":"user","content":"on and on"}]}"""))
                .header("Content-Type", "application/json").build();
        HttpResponse<java.io.InputStream> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String id;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            int contentChunks = 0;
            String first = null;
            while ((line = reader.readLine()) != null && contentChunks < 3) {
                if (line.startsWith("data: ")) {
                    if (first == null) first = line;
                    contentChunks++;
                }
            }
            id = new JsonObject(first.substring(6)).getString("id");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> streaming.cancelled.contains(id));
    }

    @Test
    void expiresARequestWhoseDeadlinePassesBeforeAWorkerStartsIt() {
        await().atMost(Duration.ofSeconds(10)).until(() -> liveWorkers("single") == 1);
        String busy = new JsonObject(Http.post(platform.url("/v1/jobs"), """
                {"type":"completion","model":"single-model","prompt":"hold the only slot","max_tokens":200}""").body()).getString("id");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + busy)).body()).getString("status").equals("running"));

        HttpResponse<String> late = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"single-model","timeout":0.5,"messages":[{"role":"user","content":"in a hurry"}]}""");
        assertThat(late.statusCode()).isEqualTo(504);
        assertThat(new JsonObject(late.body()).getJsonObject("error").getString("code")).isEqualTo("deadline_exceeded");
        // The same deadline as a header, for clients that cannot add body fields.
        HttpResponse<String> lateByHeader = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"single-model","messages":[{"role":"user","content":"in a hurry too"}]}""", "X-Genway-Timeout", "0.5");
        assertThat(lateByHeader.statusCode()).isEqualTo(504);
        assertThat(new JsonObject(lateByHeader.body()).getJsonObject("error").getString("code")).isEqualTo("deadline_exceeded");
        // It expired while the only slot was still taken: nobody started it late.
        assertThat(new JsonObject(Http.get(platform.url("/v1/jobs/" + busy)).body()).getString("status")).isEqualTo("running");
        Http.delete(platform.url("/v1/jobs/" + busy));
    }

    @Test
    void aRequestWithoutAModelGetsTheFirstPoolsFirstModelEveryTime() {
        await().atMost(Duration.ofSeconds(10)).until(() -> liveWorkers("narrow") == 1);
        for (int i = 0; i < 3; i++) {
            // The narrow pool may still be draining another test's backlog: wait until it takes this one.
            HttpResponse<String> r = await().atMost(Duration.ofSeconds(60)).until(() -> Http.post(platform.url("/v1/chat/completions"), """
                    {"max_tokens":1,"messages":[{"role":"user","content":"which model"}]}"""), x -> x.statusCode() != 429);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            // Not whichever pool of the modality looks fastest: the narrow pool is the slowest here.
            assertThat(new JsonObject(r.body()).getString("model")).isEqualTo("narrow-model");
        }
    }

    @Test
    void rejectsAMalformedTimeoutHeaderNamingIt() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"stream-model","messages":[{"role":"user","content":"x"}]}""", "X-Genway-Timeout", "soon");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("param")).isEqualTo("X-Genway-Timeout");
        assertThat(error.getString("message")).contains("soon");
    }

    @Test
    void listsModelsAndPools() {
        JsonObject models = new JsonObject(Http.get(platform.url("/v1/models")).body());
        assertThat(models.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList())
                .contains("narrow-model", "stream-model", "nobody-serves");
        await().atMost(Duration.ofSeconds(10)).until(() -> liveWorkers("stream") == 1);
        JsonObject pool = pool("stream");
        assertThat(pool.getString("modality")).isEqualTo("text");
        assertThat(pool.getInteger("slots")).isEqualTo(4);
        assertThat(pool.getJsonArray("workers").getJsonObject(0).getString("engine")).isEqualTo("synthetic");
        assertThat(pool("empty").getInteger("live_workers")).isZero();
    }

    @Test
    void exposesPrometheusMetricsAndHealth() {
        Http.post(platform.url("/v1/chat/completions"), """
                {"model":"stream-model","max_tokens":2,"messages":[{"role":"user","content":"m"}]}""");
        String metrics = Http.get(platform.url("/metrics")).body();
        assertThat(metrics).contains("genway_time_to_first_token_seconds_bucket", "genway_pool_backlog{pool=\"narrow\"}",
                "genway_tokens_produced_total", "genway_e2e_latency_seconds", "genway_queue_time_seconds");
        assertThat(Http.get(platform.url("/health/live")).statusCode()).isEqualTo(200);
        assertThat(Http.get(platform.url("/health/ready")).statusCode()).isEqualTo(200);
    }

    private static JsonObject pool(String name) {
        JsonObject pools = new JsonObject(Http.get(platform.url("/v1/pools")).body());
        return pools.getJsonArray("data").stream().map(JsonObject.class::cast).filter(p -> p.getString("name").equals(name)).findFirst().orElseThrow();
    }

    private static int liveWorkers(String name) {
        return pool(name).getInteger("live_workers");
    }
}
