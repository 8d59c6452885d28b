package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.SharedModels;
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
import io.genway.worker.engine.Output;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LlamaEngineTest {
    private LlamaEngine engine;

    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private LlamaEngine engine(int contextLength) {
        engine = new LlamaEngine(new LlamaEngineSettings(SharedModels.stories260K(), List.of("stories260K"), 2, contextLength));
        return engine;
    }

    @Test
    void streamsLlamaCppsGreedyTextTokenByToken() throws IOException {
        JsonNode c = new ObjectMapper().readTree(SharedModels.stories260KReference().toFile()).get("greedy").get(0);
        Recording output = new Recording();

        Outcome outcome = engine(0).run(completion(c.get("prompt").asText(), 0, c.get("n_predict").asInt(), List.of(), 1), output, new CancelToken()).join();

        assertThat(String.join("", output.texts)).isEqualTo(c.get("text").asText());
        List<Integer> expected = new java.util.ArrayList<>();
        c.get("generated_token_ids").forEach(id -> expected.add(id.asInt()));
        assertThat(output.ids).isEqualTo(expected);
        assertThat(outcome).isEqualTo(new Outcome(FinishReason.LENGTH, new Usage(5, 32)));
    }

    @Test
    void endsBeforeAStopSequenceWithoutEmittingAnyOfIt() {
        Recording output = new Recording();

        Outcome outcome = engine(0).run(completion("Once upon a time", 0, 32, List.of("Lily"), 1), output, new CancelToken()).join();

        assertThat(String.join("", output.texts)).isEqualTo(", there was a little girl named ");
        assertThat(outcome.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void samplesTheSameTextFromTheSameSeed() {
        LlamaEngine engine = engine(0);
        Recording first = new Recording();
        Recording second = new Recording();

        engine.run(completion("Once upon a time", 1.0, 24, List.of(), 99), first, new CancelToken()).join();
        engine.run(completion("Once upon a time", 1.0, 24, List.of(), 99), second, new CancelToken()).join();

        assertThat(first.texts).isNotEmpty().isEqualTo(second.texts);
    }

    @Test
    void stopsBetweenTokensWhenCancelled() {
        CancelToken cancel = new CancelToken();
        Recording output = new Recording() {
            @Override
            public void tokens(String text, List<Integer> ids) {
                super.tokens(text, ids);
                if (this.ids.size() >= 3) cancel.cancel("client left");
            }
        };

        Outcome outcome = engine(0).run(completion("Once upon a time", 0, 32, List.of(), 1), output, cancel).join();

        assertThat(outcome.wasCancelled()).isTrue();
        assertThat(output.ids).hasSize(3);
    }

    @Test
    void promptsAChatWithThePlainFallbackWhenTheModelHasNoTemplate() throws IOException {
        // stories260K has no tokenizer.chat_template: role lines and an assistant cue, BOS first
        int[] expected;
        try (var file = io.genway.llm.gguf.GgufFile.open(SharedModels.stories260K())) {
            expected = io.genway.llm.tokenizer.Tokenizer.from(file.metadata()).encode("system: Be brief.\nuser: Hi\nassistant:", true, true);
        }
        GenerationRequest chat = new GenerationRequest("r1", RequestKind.CHAT, false, "text", "stories260K",
                new TextInput(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")), null,
                        new SamplingParams(4, 0, 1, 0, 0, List.of())), null, 1, 0, 0, "", false, null, 0);

        Outcome outcome = engine(0).run(chat, new Recording(), new CancelToken()).join();

        assertThat(expected[0]).isEqualTo(1);
        assertThat(outcome.usage().promptTokens()).isEqualTo(expected.length);
    }

    @Test
    void refusesAPromptThatFillsTheContextAsFatal() {
        LlamaEngine engine = engine(4);

        assertThatThrownBy(() -> engine.run(completion("Once upon a time there was", 0, 8, List.of(), 1), new Recording(), new CancelToken()).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(EngineException.Fatal.class, e -> assertThat(e.code()).isEqualTo("context_length_exceeded"));
    }

    @Test
    void endsWithLengthWhenTheContextFillsBeforeMaxTokens() {
        Recording output = new Recording();

        Outcome outcome = engine(8).run(completion("Once upon a time", 0, 32, List.of(), 1), output, new CancelToken()).join();

        assertThat(outcome).isEqualTo(new Outcome(FinishReason.LENGTH, new Usage(5, 3)));
    }

    private static GenerationRequest completion(String prompt, double temperature, int maxTokens, List<String> stop, long seed) {
        return new GenerationRequest("r1", RequestKind.COMPLETION, false, "text", "stories260K",
                new TextInput(null, prompt, new SamplingParams(maxTokens, temperature, 0.9, 0, 0, stop)), null, seed, 0, 0, "", false, null, 0);
    }

    static class Recording implements Output {
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<Integer> ids = new CopyOnWriteArrayList<>();

        @Override
        public void tokens(String text, List<Integer> ids) {
            texts.add(text);
            this.ids.addAll(ids);
        }

        @Override
        public void progress(int step, int of, byte[] previewPng) {
            throw new AssertionError("a text engine reported progress");
        }

        @Override
        public void result(int index, byte[] bytes, String contentType) {
            throw new AssertionError("a text engine produced a binary result");
        }
    }
}
