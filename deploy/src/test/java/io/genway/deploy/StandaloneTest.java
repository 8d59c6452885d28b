package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.deploy.config.ConfigLoader;
import io.genway.deploy.config.GenwayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole system in one process, as {@code ./genway standalone} runs it, through a real HTTP client. */
class StandaloneTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Pattern ID = Pattern.compile("\"id\":\"(job-[A-Za-z0-9]+)\"");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z]+)\"");

    @TempDir
    Path data;

    private GenwayConfig config() {
        return new ConfigLoader(Map.of(), data).parse("""
                broker: { data_dir: "%s" }
                gateway: { port: 0 }
                pools:
                  - { name: text, modality: text, models: [t], engine: { type: synthetic, slots: 4, token_delay: 1ms } }
                  - { name: slow, modality: text, models: [s], drain_timeout: 1s,
                      engine: { type: synthetic, slots: 1, token_delay: 100ms } }
                  - { name: image, modality: image, models: [i], engine: { type: synthetic, slots: 2, step_delay: 2ms } }
                """.formatted(data.resolve("genway").toString().replace("\\", "/")), "test", List.of());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String post(int port, String path, String body) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 202);
        return r.body();
    }

    private static String get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()).body();
    }

    private static String field(Pattern p, String json) {
        Matcher m = p.matcher(json);
        assertThat(m.find()).as(json).isTrue();
        return m.group(1);
    }

    private static String status(int port, String job) {
        return field(STATUS, get(port, "/v1/jobs/" + job));
    }

    @Test
    void servesBothModalitiesAndKeepsQueuedAndFinishedJobsAcrossARestart() {
        String finished;
        String queued;
        try (Running running = Roles.forThisProcess(config()).standalone(new Running())) {
            int port = running.gateway().orElseThrow().port();
            await().atMost(Duration.ofSeconds(20)).until(() -> get(port, "/v1/pools").split("\"live_workers\":1").length == 4);

            String chat = post(port, "/v1/chat/completions", """
                    {"model":"t","max_tokens":3,"temperature":0,"messages":[{"role":"user","content":"hi there"}]}""");
            assertThat(chat).contains("\"content\":\"hi there hi\"");

            finished = field(ID, post(port, "/v1/jobs", """
                    {"type":"image","model":"i","prompt":"a red circle","size":"32x32","steps":3}"""));
            await().atMost(Duration.ofSeconds(20)).until(() -> status(port, finished).equals("completed"));

            String busy = field(ID, post(port, "/v1/jobs", """
                    {"type":"completion","model":"s","prompt":"long","max_tokens":100}"""));
            await().atMost(Duration.ofSeconds(20)).until(() -> status(port, busy).equals("running"));
            queued = field(ID, post(port, "/v1/jobs", """
                    {"type":"completion","model":"s","prompt":"wait for me","max_tokens":2,"temperature":0}"""));
            assertThat(status(port, queued)).isEqualTo("queued");
        }

        try (Running running = Roles.forThisProcess(config()).standalone(new Running())) {
            int port = running.gateway().orElseThrow().port();
            assertThat(status(port, finished)).isEqualTo("completed");
            HttpResponse<byte[]> png;
            try {
                png = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs/" + finished + "/result")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(png.statusCode()).isEqualTo(200);
            assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
            await().atMost(Duration.ofSeconds(60)).until(() -> status(port, queued).equals("completed"));
            assertThat(get(port, "/v1/jobs/" + queued + "/result")).contains("\"text\":\"wait for\"");
        }
    }
}
