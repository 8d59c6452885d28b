package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.SharedModels;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.RequestKind;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.Outcome;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's continuous batching: same tokens alone or batched, admission under the KV budget, waiting, cancel. */
class LlamaEngineBatchingTest {
    private static final String LONG_PROMPT = "Once upon a time there was a little girl named Lily. She loved to play outside in the park with her friends and her dog.";
    private static final long BLOCK_BYTES = 16L * 2 * 5 * 32 * 4; // stories260K: 5 layers, kvDim 32, floats
    private LlamaEngine engine;

    @AfterEach
    void close() {
        if (engine != null) engine.close();
    }

    private LlamaEngine engine(int slots, long kvBudget, int prefillChunk) {
        engine = new LlamaEngine(new LlamaEngineSettings(SharedModels.stories260K(), List.of("stories260K"), slots, 0, kvBudget, prefillChunk, Activations.F32));
        return engine;
    }

    @Test
    void aSeededRequestGivesTheSameTokensAloneAndBatchedWithOthersPrefillingInChunks() {
        LlamaEngine engine = engine(4, 64L << 20, 3);
        GenerationRequest sampled = completion("Once upon a time", 1.0, 24, 99);
        LlamaEngineTest.Recording alone = new LlamaEngineTest.Recording();
        engine.run(sampled, alone, new CancelToken()).join();

        List<LlamaEngineTest.Recording> outputs = new ArrayList<>();
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        GenerationRequest[] batch = {completion(LONG_PROMPT, 0.8, 30, 5), sampled, completion("The cat", 1.2, 12, 7), completion(LONG_PROMPT, 0, 20, 1)};
        for (GenerationRequest r : batch) {
            LlamaEngineTest.Recording out = new LlamaEngineTest.Recording();
            outputs.add(out);
            runs.add(engine.run(r, out, new CancelToken()));
        }
        runs.forEach(CompletableFuture::join);

        assertThat(alone.ids).hasSize(24);
        assertThat(outputs.get(1).ids).isEqualTo(alone.ids);
        assertThat(outputs.get(1).texts).isEqualTo(alone.texts);
    }

    @Test
    void greedyTokensStillMatchLlamaCppWhenBatchedWithOtherStreams() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(SharedModels.stories260KReference().toFile()).get("greedy");
        LlamaEngine engine = engine(8, 64L << 20, 4);
        List<LlamaEngineTest.Recording> outputs = new ArrayList<>();
        List<CompletableFuture<Outcome>> runs = new ArrayList<>();
        for (JsonNode c : reference) {
            LlamaEngineTest.Recording out = new LlamaEngineTest.Recording();
            outputs.add(out);
            runs.add(engine.run(completion(c.get("prompt").asText(), 0, c.get("n_predict").asInt(), 1), out, new CancelToken()));
            runs.add(engine.run(completion(LONG_PROMPT, 1.0, 16, runs.size()), new LlamaEngineTest.Recording(), new CancelToken()));
        }
        runs.forEach(CompletableFuture::join);

        for (int i = 0; i < reference.size(); i++) {
            List<Integer> expected = new ArrayList<>();
            reference.get(i).get("generated_token_ids").forEach(id -> expected.add(id.asInt()));
            assertThat(outputs.get(i).ids).as(reference.get(i).get("prompt").asText()).isEqualTo(expected);
        }
    }

    @Test
    void aRequestWaitsUntilItsWorstCaseFitsTheKvBudgetAndTheBudgetIsReportedFree() {
        // each request needs 5 + 27 = 32 tokens, two blocks; the budget holds three
        LlamaEngine engine = engine(4, 3 * BLOCK_BYTES, 64);
        assertThat(engine.freeMemoryBytes()).isEqualTo(3 * BLOCK_BYTES);
        assertThat(engine.info().kvBytesPerToken()).isEqualTo(BLOCK_BYTES / 16);
        List<String> events = new CopyOnWriteArrayList<>();
        List<Long> freeWhileRunning = new CopyOnWriteArrayList<>();
        CompletableFuture<Outcome> first = engine.run(completion("Once upon a time", 0, 27, 1), new Tagged("a", events) {
            @Override
            public void tokens(String text, List<Integer> ids) {
                super.tokens(text, ids);
                freeWhileRunning.add(engine.freeMemoryBytes());
            }
        }, new CancelToken());
        CompletableFuture<Outcome> second = engine.run(completion("Once upon a time", 0, 27, 1), new Tagged("b", events), new CancelToken());

        assertThat(first.join().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(second.join().finishReason()).isEqualTo(FinishReason.LENGTH);
        int lastA = events.lastIndexOf("a");
        int firstB = events.indexOf("b");
        assertThat(firstB).as("b starts only after a ends: %s", events).isGreaterThan(lastA);
        assertThat(freeWhileRunning).contains(BLOCK_BYTES);
        assertThat(engine.freeMemoryBytes()).isEqualTo(3 * BLOCK_BYTES);
    }

    @Test
    void aWaitingRequestCancelledBeforeItStartsNeverRunsAndFreesNothingItDidNotHold() {
        LlamaEngine engine = engine(4, 2 * BLOCK_BYTES, 64);
        List<String> events = new CopyOnWriteArrayList<>();
        CancelToken cancel = new CancelToken();
        CompletableFuture<Outcome> first = engine.run(completion("Once upon a time", 0, 27, 1), new Tagged("a", events) {
            @Override
            public void tokens(String text, List<Integer> ids) {
                super.tokens(text, ids);
                cancel.cancel("client left"); // b is waiting for a's blocks now
            }
        }, new CancelToken());
        CompletableFuture<Outcome> second = engine.run(completion("Once upon a time", 0, 27, 1), new Tagged("b", events), cancel);

        assertThat(second.join().wasCancelled()).isTrue();
        assertThat(first.join().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(events).doesNotContain("b");
        assertThat(engine.freeMemoryBytes()).isEqualTo(2 * BLOCK_BYTES);
    }

    @Test
    void aLongPromptIsPrefilledInChunksWhileARunningStreamDecodesEveryStep() {
        LlamaEngine engine = engine(2, 64L << 20, 4);
        List<int[]> steps = new CopyOnWriteArrayList<>();
        engine.onStep((decodeRows, promptRows) -> steps.add(new int[] {decodeRows, promptRows}));
        CompletableFuture<Outcome> longPrompt = new CompletableFuture<>();
        CompletableFuture<Outcome> running = engine.run(completion("Once upon a time", 0, 60, 1), new LlamaEngineTest.Recording() {
            @Override
            public void tokens(String text, List<Integer> ids) {
                super.tokens(text, ids);
                if (this.ids.size() == 3) { // the first stream is decoding: now a long prompt arrives
                    engine.run(completion(LONG_PROMPT, 0, 4, 2), new LlamaEngineTest.Recording(), new CancelToken())
                            .whenComplete((o, e) -> longPrompt.complete(o));
                }
            }
        }, new CancelToken());

        running.join();
        longPrompt.join();
        List<int[]> prefillSteps = steps.stream().filter(s -> s[1] > 0).toList();
        assertThat(prefillSteps.size()).as("a prompt of about 30 tokens in chunks of 4").isGreaterThanOrEqualTo(7);
        // the first stream's own 5-token prompt took the first two steps; every later prompt chunk rode beside its decode row
        assertThat(prefillSteps.subList(2, prefillSteps.size())).allSatisfy(s -> {
            assertThat(s[1]).isLessThanOrEqualTo(4);
            assertThat(s[0]).isEqualTo(1);
        });
    }

    @Test
    void aRunningRequestCancelledMidStreamReturnsItsBlocks() {
        LlamaEngine engine = engine(4, 8 * BLOCK_BYTES, 64);
        CancelToken cancel = new CancelToken();
        Outcome outcome = engine.run(completion("Once upon a time", 0, 27, 1), new LlamaEngineTest.Recording() {
            @Override
            public void tokens(String text, List<Integer> ids) {
                super.tokens(text, ids);
                if (this.ids.size() == 2) cancel.cancel("client left");
            }
        }, cancel).join();

        assertThat(outcome.wasCancelled()).isTrue();
        assertThat(engine.freeMemoryBytes()).isEqualTo(8 * BLOCK_BYTES);
    }

    @Test
    void refusesAsFatalARequestWhoseWorstCaseExceedsTheWholeBudget() {
        LlamaEngine engine = engine(4, BLOCK_BYTES, 64);

        assertThatThrownBy(() -> engine.run(completion("Once upon a time", 0, 27, 1), new LlamaEngineTest.Recording(), new CancelToken()).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(EngineException.Fatal.class, e -> assertThat(e.code()).isEqualTo("kv_budget_exceeded"));
    }

    @Test
    void reportsEachRequestsTimings() {
        LlamaEngine engine = engine(4, 64L << 20, 4);
        List<RequestTimings> timings = new CopyOnWriteArrayList<>();
        engine.onTimings(timings::add);

        engine.run(completion(LONG_PROMPT, 0, 10, 1), new LlamaEngineTest.Recording(), new CancelToken()).join();

        assertThat(timings).singleElement().satisfies(t -> {
            assertThat(t.outputTokens()).isEqualTo(10);
            assertThat(t.promptTokens()).isGreaterThan(20);
            assertThat(t.queueMs()).isGreaterThanOrEqualTo(0);
            assertThat(t.prefillMs()).isGreaterThan(0);
            assertThat(t.firstTokenMs()).isGreaterThanOrEqualTo(t.prefillMs());
            assertThat(t.perOutputMs()).isGreaterThan(0);
        });
    }

    private static GenerationRequest completion(String prompt, double temperature, int maxTokens, long seed) {
        return new GenerationRequest("r" + seed, RequestKind.COMPLETION, false, "text", "stories260K",
                new TextInput(null, prompt, new SamplingParams(maxTokens, temperature, 0.9, 0, 0, List.of())), null, seed, 0, 0, "", false, null, 0);
    }

    /** Records its tag in a shared event list for each output call. */
    private static class Tagged extends LlamaEngineTest.Recording {
        private final String tag;
        private final List<String> events;

        Tagged(String tag, List<String> events) {
            this.tag = tag;
            this.events = events;
        }

        @Override
        public void tokens(String text, List<Integer> ids) {
            super.tokens(text, ids);
            events.add(tag);
        }
    }
}
