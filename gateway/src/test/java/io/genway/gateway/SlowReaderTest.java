package io.genway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.SyntheticTextEngine;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.Modality;
import io.genway.schemas.PoolSpec;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading while tokens pour in: the gateway must not buffer them without bound; it throttles
 * the stream through its write queue and, when the client reads again, delivers every token exactly once.
 */
class SlowReaderTest {
    private static final int TOKENS = 40_000;
    static Platform platform;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(new PoolSpec("flood", Modality.TEXT, List.of("flood-model"), 10, TOKENS)));
        platform.startWorker("flood", "w-flood", new SyntheticTextEngine(List.of("flood-model"), 2, Duration.ZERO, Duration.ZERO));
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    @Test
    void aReaderThatPausesIsThrottledAndStillGetsEveryTokenOnce() throws Exception {
        String body = "{\"model\":\"flood-model\",\"stream\":true,\"seed\":5,\"temperature\":1,\"max_tokens\":" + TOKENS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"alpha beta gamma delta\"}]}";
        List<Long> ids = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        String finish = null;
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", platform.gateway.port()));
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1024);
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            // The reader pauses while the worker keeps producing: the gateway must hold back rather than buffer it all.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() ->
                    Http.get(platform.url("/metrics")).body().lines().anyMatch(l -> l.startsWith("genway_streams_throttled_total{pool=\"flood\"} ")
                            && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1));
            String id = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("id: ")) id = line.substring(4);
                if (!line.startsWith("data: {")) continue;
                JsonObject choice = new JsonObject(line.substring(6)).getJsonArray("choices").getJsonObject(0);
                String content = choice.getJsonObject("delta").getString("content");
                if (content != null && !content.isEmpty()) {
                    ids.add(Long.parseLong(id.substring(id.lastIndexOf('-') + 1).trim()));
                    text.append(content);
                }
                if (choice.getString("finish_reason") != null) finish = choice.getString("finish_reason");
            }
        }
        GenerationRequest same = new GenerationRequest("x", RequestKind.CHAT, false, "flood", "flood-model",
                new TextInput(List.of(new io.genway.schemas.ChatMessage("user", "alpha beta gamma delta")), null,
                        new SamplingParams(TOKENS, 1, 1, 0, 0, List.of())), null, 5, 0, 0, "", false, null, 0);
        assertThat(finish).isEqualTo("length");
        assertThat(ids).hasSize(TOKENS);
        for (int i = 0; i < ids.size(); i++) assertThat(ids.get(i)).isEqualTo(i + 1L);
        assertThat(text.toString()).isEqualTo(String.join("", SyntheticTextEngine.tokensFor(same)));
    }
}
