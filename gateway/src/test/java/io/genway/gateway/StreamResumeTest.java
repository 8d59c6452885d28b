package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client whose stream broke reconnects with {@code Last-Event-ID}, to the same or another gateway, and gets
 * exactly the events it missed and then the live tail.
 */
class StreamResumeTest {
    static Platform platform;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(new PoolSpec("text", Modality.TEXT, List.of("tiny"), 100, 512),
                new PoolSpec("one", Modality.TEXT, List.of("one-slot"), 100, 512)), List.of("key-alice", "key-bob"));
        platform.keepAlive = Duration.ofMillis(200);
        platform.startWorker("text", "w-resume-1", new SyntheticTextEngine(List.of("tiny"), 4, Duration.ZERO, Duration.ofMillis(40)));
        platform.startWorker("one", "w-one-1", new SyntheticTextEngine(List.of("one-slot"), 1, Duration.ZERO, Duration.ofMillis(50)));
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static final String[] ALICE = {"Authorization", "Bearer key-alice"};

    private static String expected(String prompt, int maxTokens, long seed) {
        GenerationRequest r = new GenerationRequest("x", RequestKind.CHAT, false, "text", "tiny",
                new TextInput(List.of(new ChatMessage("user", prompt)), null, new SamplingParams(maxTokens, 0.8, 1, 0, 0, List.of())),
                null, seed, 0, 0, "", false, null, 0);
        return String.join("", SyntheticTextEngine.tokensFor(r));
    }

    private static String body(String prompt, int maxTokens, long seed) {
        return new JsonObject().put("model", "tiny").put("stream", true).put("seed", seed).put("max_tokens", maxTokens)
                .put("temperature", 0.8).put("continue_on_disconnect", true)
                .put("messages", List.of(new JsonObject().put("role", "user").put("content", prompt))).encode();
    }

    /** The first {@code count} content chunks of a stream, then the connection is dropped. */
    private static Partial readSome(String body, int count) {
        HttpResponse<Stream<String>> response = Http.stream(platform.url("/v1/chat/completions"), body, ALICE);
        assertThat(response.statusCode()).isEqualTo(200);
        Partial partial = new Partial();
        Iterator<String> lines = response.body().iterator();
        String id = null;
        int content = 0;
        while (content < count && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) id = line.substring(4);
            if (!line.startsWith("data: {")) continue;
            JsonObject chunk = new JsonObject(line.substring(6));
            partial.requestId = chunk.getString("id");
            partial.lastEventId = id;
            String text = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
            if (text != null && !text.isEmpty()) {
                partial.text.append(text);
                content++;
            }
        }
        response.body().close();
        return partial;
    }

    private static final class Partial {
        String requestId;
        String lastEventId;
        final StringBuilder text = new StringBuilder();
    }

    private static String contentOf(List<Http.Sse> events) {
        StringBuilder text = new StringBuilder();
        for (Http.Sse e : events) {
            if (e.data().equals("[DONE]")) continue;
            JsonObject choice = e.json().getJsonArray("choices").getJsonObject(0);
            String c = choice.getJsonObject("delta").getString("content");
            if (c != null) text.append(c);
        }
        return text.toString();
    }

    @Test
    void resumesOnAnotherGatewayWithExactlyTheMissedEventsThenTheLiveTail() {
        String prompt = "once upon a time a small fox found a river and followed it to the sea";
        Partial partial = readSome(body(prompt, 40, 11), 5);
        assertThat(partial.text).isNotEmpty();

        try (Gateway other = platform.startAnotherGateway()) {
            HttpResponse<Stream<String>> resumed = Http.stream("http://127.0.0.1:" + other.port() + "/v1/streams/" + partial.requestId,
                    null, "Authorization", "Bearer key-alice", "Last-Event-ID", partial.lastEventId);
            assertThat(resumed.statusCode()).isEqualTo(200);
            List<Http.Sse> events = Http.events(resumed);

            assertThat(events.getLast().data()).isEqualTo("[DONE]");
            JsonObject finish = events.get(events.size() - 2).json();
            assertThat(finish.getString("id")).isEqualTo(partial.requestId);
            assertThat(finish.getString("object")).isEqualTo("chat.completion.chunk");
            assertThat(finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
            // Every token once, in order: what was read before plus what the resumed stream sent is the whole answer.
            assertThat(partial.text + contentOf(events)).isEqualTo(expected(prompt, 40, 11));
            long lastSeq = Long.parseLong(partial.lastEventId.substring(partial.lastEventId.lastIndexOf('-') + 1));
            List<Long> seqs = events.stream().filter(e -> e.id() != null)
                    .map(e -> Long.parseLong(e.id().substring(e.id().lastIndexOf('-') + 1))).toList();
            assertThat(seqs.getFirst()).isEqualTo(lastSeq + 1);
            assertThat(seqs).isSorted();
        }
    }

    @Test
    void resumesAFinishedStreamFromItsFirstEventOnTheSameGateway() {
        String prompt = "a quiet morning";
        Partial partial = readSome(body(prompt, 6, 3), 1);
        // The role chunk's id: everything after it, which by now may all be in the log.
        String roleId = partial.lastEventId.replaceAll("-\\d+$", "-0");
        List<Http.Sse> events = Http.events(Http.stream(platform.url("/v1/streams/" + partial.requestId), null,
                "Authorization", "Bearer key-alice", "Last-Event-ID", roleId));
        assertThat(contentOf(events)).isEqualTo(expected(prompt, 6, 3));
        assertThat(events.getLast().data()).isEqualTo("[DONE]");
    }

    @Test
    void anotherKeyOrAWrongPositionFindsNoStream() {
        Partial partial = readSome(body("private words", 4, 5), 1);
        HttpResponse<String> bob = Http.get(platform.url("/v1/streams/" + partial.requestId),
                "Authorization", "Bearer key-bob", "Last-Event-ID", partial.lastEventId);
        assertThat(bob.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(bob.body()).getJsonObject("error").getString("code")).isEqualTo("stream_not_found");

        String[] parts = partial.lastEventId.split("-");
        String elsewhere = parts[0] + "-" + (Long.parseLong(parts[1]) + 1) + "-" + parts[2];
        HttpResponse<String> moved = Http.get(platform.url("/v1/streams/" + partial.requestId),
                "Authorization", "Bearer key-alice", "Last-Event-ID", elsewhere);
        assertThat(moved.statusCode()).isEqualTo(404);

        HttpResponse<String> noPartition = Http.get(platform.url("/v1/streams/" + partial.requestId),
                "Authorization", "Bearer key-alice", "Last-Event-ID", "999-0-1");
        assertThat(noPartition.statusCode()).isEqualTo(404);
    }

    @Test
    void aStreamWaitingInTheQueueGetsCommentHeartbeats() throws Exception {
        String busy = new JsonObject(Http.post(platform.url("/v1/jobs"), """
                {"type":"completion","model":"one-slot","prompt":"hold the slot","max_tokens":40}""", ALICE).body()).getString("id");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                new JsonObject(Http.get(platform.url("/v1/jobs/" + busy), ALICE).body()).getString("status").equals("running"));
        HttpResponse<Stream<String>> waiting = Http.stream(platform.url("/v1/chat/completions"), """
                {"model":"one-slot","stream":true,"max_tokens":2,"messages":[{"role":"user","content":"my turn"}]}""", ALICE);
        List<String> beforeFirstToken = new java.util.ArrayList<>();
        for (Iterator<String> lines = waiting.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (line.startsWith("data: {") && !new JsonObject(line.substring(6)).getJsonArray("choices").getJsonObject(0)
                    .getJsonObject("delta").getString("content", "").isEmpty()) break;
            beforeFirstToken.add(line);
        }
        waiting.body().close();
        // The slot was taken for about two seconds: the waiting stream heard from the gateway meanwhile.
        assertThat(beforeFirstToken.stream().filter(l -> l.equals(": queued")).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aMissingOrMalformedLastEventIdIsNamed() {
        for (String[] headers : List.of(ALICE, new String[] {"Authorization", "Bearer key-alice", "Last-Event-ID", "7"})) {
            HttpResponse<String> response = Http.get(platform.url("/v1/streams/chatcmpl-x"), headers);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param")).isEqualTo("Last-Event-ID");
        }
    }
}
