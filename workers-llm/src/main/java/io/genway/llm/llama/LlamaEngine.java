package io.genway.llm.llama;

import io.genway.llm.chat.ChatTemplateException;
import io.genway.llm.chat.PromptEncoder;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.tokenizer.StreamingDecoder;
import io.genway.llm.tokenizer.Tokenizer;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineException;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The native transformer engine, first cut: a Llama GGUF model run in plain Java, one request per slot, each on
 * its own thread (no batching yet). Output is reproducible from the request's seed. Prompts are made by
 * {@link PromptEncoder}: chat requests through the model's chat template.
 */
public final class LlamaEngine implements Engine {
    private final LlamaEngineSettings settings;
    private final Llama model;
    private final Tokenizer tokenizer;
    private final PromptEncoder prompts;
    private final int contextLength;
    private final ExecutorService slots;

    public LlamaEngine(LlamaEngineSettings settings) {
        this.settings = settings;
        try (GgufFile file = GgufFile.open(settings.model())) {
            this.model = Llama.load(file); // weights are copied to the heap, so the mapping can go
            this.tokenizer = Tokenizer.from(file.metadata());
            this.prompts = PromptEncoder.from(file.metadata(), tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + settings.model(), e);
        }
        int modelContext = model.config().contextLength();
        this.contextLength = settings.contextLength() == 0 ? modelContext : Math.min(settings.contextLength(), modelContext);
        this.slots = Executors.newFixedThreadPool(settings.slots(), Thread.ofPlatform().name("llama-slot-", 0).daemon().factory());
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("native", settings.models(), settings.slots(), LlamaState.kvBytesPerToken(model.config(), false));
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return generate(request, output, cancel);
            } catch (EngineException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new EngineException.Fatal("engine_error", "native engine failed: " + e.getMessage(), e);
            }
        }, slots);
    }

    private Outcome generate(GenerationRequest request, Output output, CancelToken cancel) {
        if (cancel.cancelled()) return Outcome.cancelled();
        TextInput input = request.text();
        SamplingParams sampling = input.sampling();
        int[] prompt;
        try {
            prompt = prompts.encode(input);
        } catch (ChatTemplateException e) {
            throw new EngineException.Fatal("chat_template_error", e.getMessage(), e);
        }
        if (prompt.length >= contextLength) {
            throw new EngineException.Fatal("context_length_exceeded",
                    "prompt of " + prompt.length + " tokens leaves no room in a context of " + contextLength, null);
        }
        int maxTokens = Math.min(sampling.maxTokens(), contextLength - prompt.length);
        Sampler sampler = Sampler.penalized(Sampler.of(sampling.temperature(), sampling.topP(), new SplittableRandom(request.seed())),
                sampling.frequencyPenalty(), sampling.presencePenalty());
        Stream stream = new Stream(output, cancel, sampling.stop());

        Generation.Result result = Generation.generate(model, new LlamaState(model.config(), prompt.length + maxTokens, false),
                prompt, maxTokens, tokenizer::isEndOfGeneration, sampler, stream::accept);

        if (stream.cancelled) return Outcome.cancelled();
        Usage usage = new Usage(prompt.length, result.generated());
        if (stream.stops.stopped()) return new Outcome(FinishReason.STOP, usage);
        stream.finish();
        return new Outcome(result.stop() == Generation.Stop.END_OF_SEQUENCE ? FinishReason.STOP : FinishReason.LENGTH, usage);
    }

    /** One run's path from token ids to {@link Output}: whole characters only, stop sequences cut, cancel checked. */
    private final class Stream {
        private final Output output;
        private final CancelToken cancel;
        private final StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        private final StopScanner stops;
        private final List<Integer> pendingIds = new ArrayList<>();
        boolean cancelled;

        Stream(Output output, CancelToken cancel, List<String> stopSequences) {
            this.output = output;
            this.cancel = cancel;
            this.stops = new StopScanner(stopSequences);
        }

        boolean accept(int token) {
            if (cancel.cancelled()) {
                cancelled = true;
                return false;
            }
            pendingIds.add(token);
            emit(stops.accept(decoder.accept(token)));
            return !stops.stopped();
        }

        void finish() {
            // ids still pending here made no text (control tokens): usage counts them, the stream need not
            emit(stops.accept(decoder.finish()) + stops.finish());
        }

        private void emit(String text) {
            if (text.isEmpty()) return;
            output.tokens(text, List.copyOf(pendingIds));
            pendingIds.clear();
        }
    }

    @Override
    public void close() {
        slots.shutdownNow();
    }
}
