package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway process killed with SIGKILL while jobs are queued and running, and a stream is being read: after a
 * new gateway process starts, every job completes once with its status, events and result retrievable, and the
 * stream resumes on the new gateway with exactly the events its client missed.
 */
class GatewayCrashTest {
    private static final String POOLS = """
            - { name: text, modality: text, models: [t], engine: { type: synthetic, slots: 3, token_delay: 40ms } }
            - { name: image, modality: image, models: [i], engine: { type: synthetic, slots: 1, step_delay: 40ms } }""";

    @TempDir
    Path dir;

    @Test
    void jobsAndStreamsOutliveTheirGateway() throws IOException {
        try (CrashRig rig = CrashRig.withChildGateway(dir, POOLS)) {
            try {
                rig.startWorkerHere("text");
                rig.startWorkerHere("image");
                Process first = rig.startChildGateway();
                await().atMost(Duration.ofSeconds(30)).until(() -> rig.liveWorkerIds("text").size() == 1 && rig.liveWorkerIds("image").size() == 1);

                String streamBody = """
                        {"model":"t","stream":true,"continue_on_disconnect":true,"max_tokens":150,"temperature":0,
                         "messages":[{"role":"user","content":"keep talking while the gateway falls over"}]}""";
                Partial partial = readSome(rig, streamBody, 3);

                // Beside the stream, two text jobs run while two wait; one image job runs while two wait.
                List<String> textJobs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    textJobs.add(created(rig.post("/v1/jobs", """
                            {"type":"completion","model":"t","prompt":"job %d of the night shift","max_tokens":100,"temperature":0}""".formatted(i))));
                }
                List<String> imageJobs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    imageJobs.add(created(rig.post("/v1/jobs", """
                            {"type":"image","model":"i","prompt":"a lamp %d","size":"16x16","steps":80,"seed":%d}""".formatted(i, i))));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> status(rig, textJobs.getFirst()).equals("running")
                        && status(rig, imageJobs.getFirst()).equals("running"));

                assertThat(status(rig, textJobs.getLast())).as("a job still waiting when the gateway dies").isEqualTo("queued");
                first.destroyForcibly();
                long killedAt = System.nanoTime();
                first.onExit().join();
                long startedAt = System.nanoTime();
                rig.startChildGateway();
                String probe = textJobs.getLast();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> rig.get("/v1/jobs/" + probe).statusCode() == 200);
                long served = System.nanoTime();
                System.out.printf("gateway SIGKILL: new gateway process start -> job status served %d ms (kill -> served %d ms)%n",
                        Duration.ofNanos(served - startedAt).toMillis(), Duration.ofNanos(served - killedAt).toMillis());
                rig.lastChildLog().lines().filter(l -> l.contains("gateway serving")).forEach(l -> System.out.println("  new gateway: " + l));

                // The stream, resumed on the new gateway: exactly the missed tokens, then its end.
                HttpResponse<String> resumed = CrashRig.send(rig.request("/v1/streams/" + partial.requestId)
                        .header("Last-Event-ID", partial.lastEventId).GET(), HttpResponse.BodyHandlers.ofString());
                assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
                assertThat(resumed.body()).endsWith("data: [DONE]\n\n");
                assertThat(partial.text + content(resumed.body())).isEqualTo(expected("keep talking while the gateway falls over", 150));

                // Every job ends once, with one result, retrievable from the new gateway.
                List<String> all = new ArrayList<>(textJobs);
                all.addAll(imageJobs);
                await().atMost(Duration.ofSeconds(120)).until(() -> all.stream().allMatch(id -> status(rig, id).equals("completed")));
                for (int i = 0; i < textJobs.size(); i++) {
                    String id = textJobs.get(i);
                    assertOneEnd(rig, id);
                    JsonObject result = new JsonObject(rig.get("/v1/jobs/" + id + "/result").body());
                    assertThat(result.getString("text"))
                            .isEqualTo(expectedCompletion("job " + i + " of the night shift", 100));
                }
                for (String id : imageJobs) {
                    assertOneEnd(rig, id);
                    HttpResponse<byte[]> png = CrashRig.send(rig.request("/v1/jobs/" + id + "/result").GET(), HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(png.statusCode()).isEqualTo(200);
                    assertThat(png.headers().firstValue("content-type")).hasValue("image/png");
                }
            } catch (AssertionError | RuntimeException e) {
                System.out.println(rig.childLogs());
                throw e;
            }
        }
    }

    /** One run to its end: a single completed event in the job's log, one result, the first attempt. */
    private static void assertOneEnd(CrashRig rig, String id) {
        JsonObject job = new JsonObject(rig.get("/v1/jobs/" + id).body());
        assertThat(job.getJsonObject("links").containsKey("results")).as("more than one result: %s", job.encode()).isFalse();
        String events = rig.get("/v1/jobs/" + id + "/events").body();
        assertThat(events.lines().filter(l -> l.equals("event: completed")).count()).as(events).isEqualTo(1);
        assertThat(events.lines().filter(l -> l.equals("event: failed") || l.equals("event: cancelled")).count()).as(events).isZero();
    }

    private static String created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return new JsonObject(response.body()).getString("id");
    }

    private static String status(CrashRig rig, String id) {
        HttpResponse<String> r = rig.get("/v1/jobs/" + id);
        return r.statusCode() == 200 ? new JsonObject(r.body()).getString("status") : "unknown";
    }

    private static String expected(String userMessage, int maxTokens) {
        GenerationRequest r = new GenerationRequest("x", RequestKind.CHAT, false, "text", "t",
                new TextInput(List.of(new io.genway.schemas.ChatMessage("user", userMessage)), null,
                        new SamplingParams(maxTokens, 0, 1, 0, 0, List.of())), null, 0, 0, 0, "", false, null, 0);
        return String.join("", SyntheticTextEngine.tokensFor(r));
    }

    private static String expectedCompletion(String prompt, int maxTokens) {
        GenerationRequest r = new GenerationRequest("x", RequestKind.COMPLETION, true, "text", "t",
                new TextInput(null, prompt, new SamplingParams(maxTokens, 0, 1, 0, 0, List.of())), null, 0, 0, 0, "", false, null, 0);
        return String.join("", SyntheticTextEngine.tokensFor(r));
    }

    private record Partial(String requestId, String lastEventId, String text) {
    }

    /** Reads a stream's first {@code count} content chunks and keeps the connection open no longer. */
    private static Partial readSome(CrashRig rig, String body, int count) throws IOException {
        HttpResponse<InputStream> response = CrashRig.send(rig.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String requestId = null;
        String id = null;
        StringBuilder text = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            int content = 0;
            String lastId = null;
            for (String line; content < count && (line = in.readLine()) != null; ) {
                if (line.startsWith("id: ")) id = line.substring(4);
                if (!line.startsWith("data: {")) continue;
                JsonObject chunk = new JsonObject(line.substring(6));
                requestId = chunk.getString("id");
                lastId = id;
                String c = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
                if (c != null && !c.isEmpty()) {
                    text.append(c);
                    content++;
                }
            }
            return new Partial(requestId, lastId, text.toString());
        }
    }

    private static String content(String sse) {
        StringBuilder text = new StringBuilder();
        for (String line : sse.split("\n")) {
            if (!line.startsWith("data: {")) continue;
            JsonObject choice = new JsonObject(line.substring(6)).getJsonArray("choices").getJsonObject(0);
            String c = choice.getJsonObject("delta").getString("content");
            if (c != null) text.append(c);
        }
        return text.toString();
    }
}
