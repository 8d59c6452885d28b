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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextStreamingTest {
    static Platform platform;
    static RecordingEngine engine;

    @BeforeAll
    static void start() {
        platform = new Platform(List.of(new PoolSpec("text", Modality.TEXT, List.of("tiny"), 100, 512)));
        engine = new RecordingEngine(new SyntheticTextEngine(List.of("tiny"), 8, Duration.ofMillis(5), Duration.ofMillis(2)));
        platform.startWorker("text", "w-text-1", engine);
        platform.startGateway();
    }

    @AfterAll
    static void stop() {
        platform.close();
    }

    private static String expected(String prompt, int maxTokens, double temperature, long seed) {
        GenerationRequest r = new GenerationRequest("x", RequestKind.CHAT, false, "text", "tiny",
                new TextInput(List.of(new ChatMessage("user", prompt)), null, new SamplingParams(maxTokens, temperature, 1, 0, 0, List.of())),
                null, seed, 0, 0, "", false, null, 0);
        return String.join("", SyntheticTextEngine.tokensFor(r));
    }

    @Test
    void streamsAChatCompletionInOpenAisChunkFormat() {
        String body = """
                {"model":"tiny","stream":true,"stream_options":{"include_usage":true},"seed":7,"max_tokens":9,
                 "temperature":0.7,"messages":[{"role":"user","content":"the quick brown fox jumps"}]}""";
        HttpResponse<Stream<String>> response = Http.stream(platform.url("/v1/chat/completions"), body);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Http.Sse> events = Http.events(response);

        assertThat(events.getLast().data()).isEqualTo("[DONE]");
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream().map(Http.Sse::json).toList();
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(e.id()).isNotBlank());
        JsonObject first = chunks.getFirst();
        assertThat(first.getString("object")).isEqualTo("chat.completion.chunk");
        assertThat(first.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role")).isEqualTo("assistant");

        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonObject c : chunks.subList(1, chunks.size() - 1)) {
            JsonObject choice = c.getJsonArray("choices").getJsonObject(0);
            text.append(choice.getJsonObject("delta").getString("content", ""));
            if (choice.getString("finish_reason") != null) finish = choice.getString("finish_reason");
        }
        assertThat(text.toString()).isEqualTo(expected("the quick brown fox jumps", 9, 0.7, 7));
        assertThat(finish).isEqualTo("length");
        JsonObject usage = chunks.getLast().getJsonObject("usage");
        assertThat(chunks.getLast().getJsonArray("choices")).isEmpty();
        assertThat(usage.getInteger("completion_tokens")).isEqualTo(9);
        assertThat(usage.getInteger("prompt_tokens")).isEqualTo(5);
        assertThat(chunks).extracting(c -> c.getString("id")).containsOnly(first.getString("id"));
    }

    @Test
    void answersAWholeChatCompletionWhenNotStreaming() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"tiny","seed":3,"max_tokens":5,"temperature":0,"messages":[{"role":"system","content":"be brief"},
                 {"role":"user","content":"alpha beta gamma"}]}""");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("object")).isEqualTo("chat.completion");
        JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
        assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("alpha beta gamma alpha beta");
        assertThat(choice.getString("finish_reason")).isEqualTo("length");
        assertThat(body.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(5 + 5);
    }

    @Test
    void sameSeedGivesTheSameText() {
        String body = """
                {"model":"tiny","seed":11,"max_tokens":12,"temperature":1,"messages":[{"role":"user","content":"a b c d e f g"}]}""";
        String first = new JsonObject(Http.post(platform.url("/v1/chat/completions"), body).body()).encode();
        String second = new JsonObject(Http.post(platform.url("/v1/chat/completions"), body).body()).encode();
        assertThat(content(first)).isEqualTo(content(second)).isEqualTo(expected("a b c d e f g", 12, 1, 11));
    }

    private static String content(String completion) {
        return new JsonObject(completion).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    }

    @Test
    void streamsTheCompletionsEndpointAndHonoursStopSequences() {
        HttpResponse<Stream<String>> response = Http.stream(platform.url("/v1/completions"), """
                {"model":"tiny","stream":true,"temperature":0,"max_tokens":20,"prompt":"one two three four","stop":["three"]}""");
        List<Http.Sse> events = Http.events(response);
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (Http.Sse e : events.subList(0, events.size() - 1)) {
            JsonObject choice = e.json().getJsonArray("choices").getJsonObject(0);
            assertThat(e.json().getString("object")).isEqualTo("text_completion");
            text.append(choice.getString("text"));
            if (choice.getString("finish_reason") != null) finish = choice.getString("finish_reason");
        }
        assertThat(text.toString()).isEqualTo("one two ");
        assertThat(finish).isEqualTo("stop");
    }

    @Test
    void rejectsATemperatureOutOfRangeNamingTheField() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"tiny","temperature":3,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("param")).isEqualTo("temperature");
        assertThat(error.getString("type")).isEqualTo("invalid_request_error");
        assertThat(error.getString("message")).contains("temperature");
    }

    @Test
    void carriesVllmsSamplingFieldsToTheWorker() {
        HttpResponse<String> response = Http.post(platform.url("/v1/completions"), """
                {"model":"tiny","prompt":"carry","max_tokens":2,"top_k":40,"min_p":0.05,"repetition_penalty":1.15}""");
        assertThat(response.statusCode()).isEqualTo(200);

        SamplingParams sampling = engine.requests.stream().filter(r -> "carry".equals(r.text().prompt())).findFirst().orElseThrow().text().sampling();
        assertThat(sampling.topK()).isEqualTo(40);
        assertThat(sampling.minP()).isEqualTo(0.05);
        assertThat(sampling.repetitionPenalty()).isEqualTo(1.15);
    }

    @ParameterizedTest
    @CsvSource({"top_k, -2", "top_k, 1.5", "min_p, 1.5", "min_p, -0.1", "repetition_penalty, 0", "repetition_penalty, 2.5"})
    void rejectsVllmsSamplingFieldsOutOfRangeNamingTheField(String field, String value) {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"),
                "{\"model\":\"tiny\",\"" + field + "\":" + value + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("param")).isEqualTo(field);
        assertThat(error.getString("message")).contains(field);
    }

    @Test
    void rejectsAMalformedMessageNamingItsPath() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"tiny","messages":[{"role":"user","content":"hi"},{"role":"robot","content":"x"}]}""");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param")).isEqualTo("messages[1].role");
    }

    @Test
    void rejectsMaxTokensAboveThePoolsLimit() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"tiny","max_tokens":100000,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("param")).isEqualTo("max_tokens");
    }

    @Test
    void answersAnUnknownModelWith404() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), """
                {"model":"gpt-17","messages":[{"role":"user","content":"hi"}]}""");
        assertThat(response.statusCode()).isEqualTo(404);
        JsonObject error = new JsonObject(response.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("model_not_found");
        assertThat(error.getString("param")).isEqualTo("model");
    }

    @Test
    void answersInvalidJsonWith400() {
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"), "{not json");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_json");
    }

    @Test
    void answersABodyOverTheLimitWith413() {
        String big = "x".repeat(70 * 1024);
        HttpResponse<String> response = Http.post(platform.url("/v1/chat/completions"),
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(new JsonObject(response.body()).getJsonObject("error").getString("code")).isEqualTo("request_too_large");
    }
}
