package io.genway.llm.remote;

import static io.genway.llm.remote.FakeUpstream.Chunks.DONE;
import static io.genway.llm.remote.FakeUpstream.Chunks.chat;
import static io.genway.llm.remote.FakeUpstream.Chunks.chatEnd;
import static io.genway.llm.remote.FakeUpstream.Chunks.chatRole;
import static io.genway.llm.remote.FakeUpstream.Chunks.text;
import static io.genway.llm.remote.FakeUpstream.Chunks.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.genway.schemas.ChatMessage;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RemoteTextEngineTest {
    private static final Duration FAST = Duration.ZERO;

    private FakeUpstream upstream;
    private RemoteTextEngine engine;

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = new FakeUpstream();
        engine = engine(upstream.baseUrl(), null, Map.of(), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        engine.close();
        upstream.close();
    }

    @Test
    void streamsChunksInOrderAndReportsUpstreamUsageAndFinishReason() throws Exception {
        upstream.streams(Duration.ofMillis(5), chatRole(), chat("Hel"), chat("lo"), chat(", world"), chatEnd("length"), usage(7, 3), DONE);
        CollectingOutput output = new CollectingOutput();

        Outcome outcome = run(chatRequest("m", 42, sampling(16, List.of())), output);

        assertThat(output.chunks).containsExactly("Hel", "lo", ", world");
        assertThat(outcome).isEqualTo(new Outcome(FinishReason.LENGTH, new Usage(7, 3)));
    }

    @Test
    void sendsTheMappedModelSeedStopMaxTokensSamplingAndBearerKey() throws Exception {
        engine.close();
        engine = engine(upstream.baseUrl(), "sk-test", Map.of("m", "org/upstream-model"), Duration.ofSeconds(10));
        upstream.streams(FAST, chat("x"), chatEnd("stop"), DONE);

        run(chatRequest("m", 1234567890123L, new SamplingParams(33, 0.5, 0.9, 0.25, -0.5, List.of("\n\n", "END"))), new CollectingOutput());

        FakeUpstream.Seen seen = upstream.received();
        assertThat(seen.path()).isEqualTo("/v1/chat/completions");
        assertThat(seen.authorization()).isEqualTo("Bearer sk-test");
        var body = seen.body();
        assertThat(body.path("model").textValue()).isEqualTo("org/upstream-model");
        assertThat(body.path("seed").longValue()).isEqualTo(1234567890123L);
        assertThat(body.path("max_tokens").intValue()).isEqualTo(33);
        assertThat(body.path("stop").toString()).isEqualTo("[\"\\n\\n\",\"END\"]");
        assertThat(body.path("temperature").doubleValue()).isEqualTo(0.5);
        assertThat(body.path("top_p").doubleValue()).isEqualTo(0.9);
        assertThat(body.path("frequency_penalty").doubleValue()).isEqualTo(0.25);
        assertThat(body.path("presence_penalty").doubleValue()).isEqualTo(-0.5);
        assertThat(body.path("stream").booleanValue()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").booleanValue()).isTrue();
        assertThat(body.path("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"say hello\"}]");
        assertThat(body.has("top_k") || body.has("min_p") || body.has("repetition_penalty")).as("no extension fields unless asked").isFalse();
    }

    @Test
    void sendsVllmsSamplingExtensionsOnlyWhenAskedFor() throws Exception {
        upstream.streams(FAST, chat("x"), chatEnd("stop"), DONE);

        run(chatRequest("m", 1, new SamplingParams(8, 0.7, 1, 20, 0.05, 0, 0, 1.1, List.of())), new CollectingOutput());

        var body = upstream.received().body();
        assertThat(body.path("top_k").intValue()).isEqualTo(20);
        assertThat(body.path("min_p").doubleValue()).isEqualTo(0.05);
        assertThat(body.path("repetition_penalty").doubleValue()).isEqualTo(1.1);
    }

    @Test
    void sendsNoStopNoKeyAndTheModelsOwnNameWhenNoneAreConfigured() throws Exception {
        upstream.streams(FAST, chat("x"), chatEnd("stop"), DONE);

        run(chatRequest("m", 1, sampling(4, List.of())), new CollectingOutput());

        FakeUpstream.Seen seen = upstream.received();
        assertThat(seen.authorization()).isNull();
        assertThat(seen.body().has("stop")).isFalse();
        assertThat(seen.body().path("model").textValue()).isEqualTo("m");
    }

    @Test
    void completionRequestsSendAPromptToTheCompletionsEndpointAndReadChoiceText() throws Exception {
        engine.close();
        engine = engine(URI.create(upstream.baseUrl() + "/v1/"), null, Map.of(), Duration.ofSeconds(10));
        upstream.streams(FAST, text("Once", null), text(" upon", null), text(" a time", "stop"), DONE);
        CollectingOutput output = new CollectingOutput();
        var request = new GenerationRequest("r1", RequestKind.COMPLETION, false, "text", "m",
                new TextInput(null, "Tell me a story:", sampling(8, List.of())), null, 5, 0, 0, "", false, null, 0);

        Outcome outcome = run(request, output);

        FakeUpstream.Seen seen = upstream.received();
        assertThat(seen.path()).isEqualTo("/v1/completions");
        assertThat(seen.body().path("prompt").textValue()).isEqualTo("Tell me a story:");
        assertThat(seen.body().has("messages")).isFalse();
        assertThat(output.chunks).containsExactly("Once", " upon", " a time");
        assertThat(outcome.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void countsEmittedChunksAsCompletionTokensWhenTheUpstreamSendsNoUsage() throws Exception {
        upstream.streams(FAST, chat("a"), chat(""), chat("b"), chat("c"), DONE);

        Outcome outcome = run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput());

        assertThat(outcome).isEqualTo(new Outcome(FinishReason.STOP, new Usage(0, 3)));
    }

    @Test
    void cancellingMidStreamCompletesCancelledAndClosesTheUpstreamConnection() throws Exception {
        upstream.streamsEndlessly(Duration.ofMillis(10));
        CollectingOutput output = new CollectingOutput();
        CancelToken cancel = new CancelToken();

        CompletableFuture<Outcome> running = engine.run(chatRequest("m", 1, sampling(1000, List.of())), output, cancel);
        await().atMost(Duration.ofSeconds(5)).until(() -> output.chunks.size() >= 2);
        cancel.cancel("client left");

        assertThat(running.get(2, TimeUnit.SECONDS)).isEqualTo(Outcome.cancelled());
        assertThat(upstream.sawClientGoAway(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void cancellingBeforeTheUpstreamAnswersCompletesCancelled() throws Exception {
        upstream.neverAnswers();
        CancelToken cancel = new CancelToken();

        CompletableFuture<Outcome> running = engine.run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput(), cancel);
        upstream.received();
        cancel.cancel("client left");

        assertThat(running.get(2, TimeUnit.SECONDS)).isEqualTo(Outcome.cancelled());
    }

    @Test
    void upstream503IsRetriableWithItsStatusAndMessage() {
        upstream.answers(503, "{\"error\":{\"message\":\"model is loading\",\"type\":\"server_error\"}}");

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> {
                    assertThat(e.code()).isEqualTo("upstream_unavailable");
                    assertThat(e.getMessage()).contains("503").contains("model is loading");
                });
    }

    @Test
    void upstream429IsRetriable() {
        upstream.answers(429, "{\"error\":\"too many requests\"}");

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.getMessage()).contains("429").contains("too many requests"));
    }

    @Test
    void upstream400IsFatalAndCarriesTheUpstreamsMessage() {
        upstream.answers(400, "{\"error\":{\"message\":\"This model's maximum context length is 4096 tokens\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}");

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Fatal.class, e -> {
                    assertThat(e.code()).isEqualTo("upstream_rejected");
                    assertThat(e.getMessage()).isEqualTo("This model's maximum context length is 4096 tokens");
                });
    }

    @Test
    void refusedConnectionIsRetriable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        engine.close();
        engine = engine(URI.create("http://127.0.0.1:" + closedPort), null, Map.of(), Duration.ofSeconds(10));

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.code()).isEqualTo("upstream_unavailable"));
    }

    @Test
    void upstreamSilentBetweenChunksForTheIdleTimeoutFailsRetriable() throws Exception {
        upstream.streams(FAST, chat("warm"), chatEnd("stop"), DONE);
        engine.close();
        engine = engine(upstream.baseUrl(), null, Map.of(), Duration.ofSeconds(1));
        // A first exchange loads the HTTP classes, so that a cold start on a busy machine is not taken for silence.
        run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput());
        upstream.stallsAfter(chat("first"));
        CollectingOutput output = new CollectingOutput();

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), output))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.code()).isEqualTo("upstream_timeout"));
        assertThat(output.chunks).containsExactly("first");
    }

    @Test
    void upstreamThatNeverAnswersTimesOutAsRetriable() throws Exception {
        engine.close();
        engine = engine(upstream.baseUrl(), null, Map.of(), Duration.ofMillis(300));
        upstream.neverAnswers();

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.code()).isEqualTo("upstream_timeout"));
    }

    @Test
    void malformedChunkIsARetriableProtocolError() {
        upstream.streamsRaw("data: " + chat("ok") + "\n\ndata: {not json\n\n");

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.code()).isEqualTo("upstream_protocol"));
    }

    @Test
    void streamThatEndsBeforeItFinishesIsRetriable() {
        upstream.streams(FAST, chat("half"));

        assertThatThrownBy(() -> run(chatRequest("m", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Retriable.class, e -> assertThat(e.code()).isEqualTo("upstream_unavailable"));
    }

    @Test
    void ignoresCommentsBlankLinesAndOtherFieldsInTheStream() throws Exception {
        upstream.streamsRaw(": keep-alive\n\nevent: message\nid: 1\ndata:" + chat("a") + "\nretry: 10\n\r\ndata: " + chat("b") + "\r\n\r\ndata: [DONE]\n\n");
        CollectingOutput output = new CollectingOutput();

        run(chatRequest("m", 1, sampling(8, List.of())), output);

        assertThat(output.chunks).containsExactly("a", "b");
    }

    @Test
    void refusesAModelItDoesNotServeWithoutCallingTheUpstream() {
        assertThatThrownBy(() -> run(chatRequest("other", 1, sampling(8, List.of())), new CollectingOutput()))
                .cause()
                .isInstanceOfSatisfying(EngineException.Fatal.class, e -> assertThat(e.code()).isEqualTo("model_not_found"));
    }

    private Outcome run(GenerationRequest request, CollectingOutput output) throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return engine.run(request, output, new CancelToken()).get(10, TimeUnit.SECONDS);
    }

    private static RemoteTextEngine engine(URI baseUrl, String key, Map<String, String> modelMap, Duration idleTimeout) {
        return new RemoteTextEngine(new RemoteEngineSettings(baseUrl, key, modelMap, 4, Duration.ofSeconds(2), idleTimeout), List.of("m"));
    }

    static GenerationRequest chatRequest(String model, long seed, SamplingParams sampling) {
        return new GenerationRequest("r1", RequestKind.CHAT, false, "text", model,
                new TextInput(List.of(new ChatMessage("user", "say hello")), null, sampling), null,
                seed, 0, 0, "", false, null, 0);
    }

    static SamplingParams sampling(int maxTokens, List<String> stop) {
        return new SamplingParams(maxTokens, 0.7, 1, 0, 0, stop);
    }
}
