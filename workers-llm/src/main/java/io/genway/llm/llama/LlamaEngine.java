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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native transformer engine: a Llama GGUF model run in Java with continuous batching. One scheduler thread
 * runs steps over every active sequence together ({@link Llama#step}); requests join and leave the batch at token
 * boundaries. A request is admitted, in arrival order, when a slot is free and the KV cache ({@link KvCache}, under
 * the configured budget) has blocks for its worst case, prompt plus max_tokens; until then it waits here. A prompt
 * is computed in chunks of at most {@code prefillChunk} tokens per step, interleaved with the other streams' decode
 * rows. Cancellation is checked before every step. Output is reproducible from the request's seed, alone or
 * batched. Prompts are made by {@link PromptEncoder}: chat requests through the model's own chat template.
 */
public final class LlamaEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(LlamaEngine.class);

    private final LlamaEngineSettings settings;
    private final GgufFile file;
    private final Llama model;
    private final Tokenizer tokenizer;
    private final PromptEncoder prompts;
    private final int contextLength;
    private final KvCache cache;
    private final Llama.Workspace workspace;
    private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
    private final Thread scheduler;
    private volatile boolean closed;
    private volatile Consumer<RequestTimings> timingsListener = t -> { };
    private volatile StepListener stepListener = (decodeRows, promptRows) -> { };

    /** Sees each step's make-up, on the scheduler thread (tests). */
    @FunctionalInterface
    interface StepListener {
        void step(int decodeRows, int promptRows);
    }

    public LlamaEngine(LlamaEngineSettings settings) {
        this.settings = settings;
        try {
            this.file = GgufFile.open(settings.model()); // stays open: the weights are read from the mapping
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + settings.model(), e);
        }
        try {
            this.model = Llama.load(file);
            this.tokenizer = Tokenizer.from(file.metadata());
            this.prompts = PromptEncoder.from(file.metadata(), tokenizer);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        LlamaConfig config = model.config();
        this.contextLength = settings.contextLength() == 0 ? config.contextLength() : Math.min(settings.contextLength(), config.contextLength());
        long blocks = KvCache.blocksFor(config, settings.kvBudgetBytes(), KvCache.DEFAULT_BLOCK_TOKENS);
        if (blocks < 1) {
            file.close();
            throw new IllegalArgumentException("kv_budget of " + settings.kvBudgetBytes() + " bytes holds not even one block of "
                    + KvCache.DEFAULT_BLOCK_TOKENS + " tokens (" + KvCache.bytesPerToken(config) + " bytes per token)");
        }
        this.cache = new KvCache(config, Math.toIntExact(Math.min(blocks, Integer.MAX_VALUE / 2)), KvCache.DEFAULT_BLOCK_TOKENS, true);
        this.workspace = model.workspace(settings.slots() + settings.prefillChunk(), settings.slots(), settings.activations());
        this.scheduler = Thread.ofPlatform().name("llama-scheduler").daemon().start(this::schedule);
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("native", settings.models(), settings.slots(), KvCache.bytesPerToken(model.config()));
    }

    /** The KV budget not reserved by running requests. */
    @Override
    public long freeMemoryBytes() {
        return cache.freeBytes();
    }

    /** Receives every finished request's timings, on the scheduler thread (keep it short). */
    public void onTimings(Consumer<RequestTimings> listener) {
        this.timingsListener = listener;
    }

    void onStep(StepListener listener) {
        this.stepListener = listener;
    }

    public Llama model() {
        return model;
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        if (closed) return CompletableFuture.failedFuture(new EngineException.Retriable("engine_closed", "native engine is closed", null));
        if (cancel.cancelled()) return CompletableFuture.completedFuture(Outcome.cancelled());
        Sequence s;
        try {
            s = prepare(request, output, cancel);
        } catch (EngineException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new EngineException.Fatal("engine_error", "native engine failed: " + e.getMessage(), e));
        }
        incoming.add(s);
        if (closed && incoming.remove(s)) { // closed while this was being prepared: the scheduler has drained for good
            return CompletableFuture.failedFuture(new EngineException.Retriable("engine_closed", "native engine is closed", null));
        }
        cancel.onCancel(() -> LockSupport.unpark(scheduler));
        LockSupport.unpark(scheduler);
        return s.result;
    }

    private Sequence prepare(GenerationRequest request, Output output, CancelToken cancel) {
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
        int worstCase = prompt.length + maxTokens;
        if (cache.blocksFor(worstCase) > cache.blockCount()) {
            throw new EngineException.Fatal("kv_budget_exceeded", "prompt and max_tokens need " + worstCase + " tokens of KV cache, more than the whole budget of "
                    + (long) cache.blockCount() * cache.blockTokens + " tokens (kv_budget " + settings.kvBudgetBytes() + " bytes)", null);
        }
        Sampler sampler = Sampler.of(sampling, prompt, new SplittableRandom(request.seed()));
        return new Sequence(request.requestId(), prompt, maxTokens, sampler, new Stream(output, cancel, sampling.stop()), cancel,
                new float[model.config().vocabularySize()]);
    }

    // ---- the scheduler thread ----

    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> active = new ArrayList<>();

    private void schedule() {
        List<Llama.Slice> slices = new ArrayList<>();
        List<Sequence> stepped = new ArrayList<>();
        while (!closed) {
            for (Sequence s; (s = incoming.poll()) != null; ) waiting.add(s);
            dropCancelled();
            admit();
            if (active.isEmpty()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            int promptRows = plan(slices, stepped);
            stepListener.step(decodeRowsOf(stepped), promptRows);
            try {
                model.step(workspace, slices);
            } catch (RuntimeException e) {
                log.error("native engine step failed; failing its {} requests", active.size(), e);
                for (Sequence s : List.copyOf(active)) fail(s, new EngineException.Fatal("engine_error", "native engine failed: " + e.getMessage(), e));
                continue;
            }
            for (Sequence s : stepped) {
                try {
                    advance(s);
                } catch (RuntimeException e) { // a sampler or decoder fault ends its own request, not the others
                    log.error("native engine failed request {}", s.requestId, e);
                    fail(s, new EngineException.Fatal("engine_error", "native engine failed: " + e.getMessage(), e));
                }
            }
        }
        EngineException gone = new EngineException.Retriable("engine_closed", "native engine closed", null);
        for (Sequence s : List.copyOf(active)) fail(s, gone);
        for (Sequence s : waiting) s.result.completeExceptionally(gone);
        for (Sequence s; (s = incoming.poll()) != null; ) s.result.completeExceptionally(gone);
    }

    private void dropCancelled() {
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.cancel.cancelled()) {
                it.remove();
                s.result.complete(Outcome.cancelled());
            }
        }
        for (Sequence s : List.copyOf(active)) {
            if (s.cancel.cancelled()) end(s, Outcome.cancelled());
        }
    }

    /** Admits waiting requests in arrival order while a slot is free and the head's worst case fits. */
    private void admit() {
        while (!waiting.isEmpty() && active.size() < settings.slots()) {
            Sequence s = waiting.peek();
            KvCache.Sequence kv = cache.reserve(s.prompt.length + s.maxTokens);
            if (kv == null) return;
            waiting.poll();
            s.kv = kv;
            s.admittedNs = System.nanoTime();
            active.add(s);
        }
    }

    /** Sequences of a step that decode (their prompt is done). */
    private static int decodeRowsOf(List<Sequence> stepped) {
        int n = 0;
        for (Sequence s : stepped) if (s.prefilled == s.prompt.length) n++;
        return n;
    }

    /** This step's rows: every decoding sequence's last token, then prompt chunks up to the chunk budget; returns the prompt rows. */
    private int plan(List<Llama.Slice> slices, List<Sequence> stepped) {
        slices.clear();
        stepped.clear();
        for (Sequence s : active) {
            if (s.prefilled == s.prompt.length) {
                slices.add(new Llama.Slice(s.kv, s.next, 0, 1, s.pos, s.logits));
                stepped.add(s);
            }
        }
        int budget = settings.prefillChunk();
        for (Sequence s : active) {
            if (budget == 0) break;
            if (s.prefilled == s.prompt.length) continue;
            int count = Math.min(budget, s.prompt.length - s.prefilled);
            boolean last = s.prefilled + count == s.prompt.length;
            slices.add(new Llama.Slice(s.kv, s.prompt, s.prefilled, count, s.prefilled, last ? s.logits : null));
            s.chunk = count;
            stepped.add(s);
            budget -= count;
        }
        return settings.prefillChunk() - budget;
    }

    /** After a step: a prefilling sequence moves on by its chunk; one with logits samples its next token. */
    private void advance(Sequence s) {
        boolean sample;
        if (s.prefilled < s.prompt.length) {
            s.prefilled += s.chunk;
            s.pos = s.prefilled;
            sample = s.prefilled == s.prompt.length;
            if (sample) s.prefilledNs = System.nanoTime();
        } else {
            s.pos++;
            sample = true;
        }
        if (!sample) return;
        int token = s.sampler.sample(s.logits);
        long now = System.nanoTime();
        if (s.generated == 0) s.firstTokenNs = now;
        s.lastTokenNs = now;
        if (tokenizer.isEndOfGeneration(token)) {
            finish(s, FinishReason.STOP);
            return;
        }
        boolean more;
        try {
            more = s.stream.accept(token);
        } catch (RuntimeException e) {
            fail(s, new EngineException.Fatal("engine_error", "native engine output failed: " + e.getMessage(), e));
            return;
        }
        s.generated++;
        if (s.stream.cancelled) {
            end(s, Outcome.cancelled());
        } else if (!more) {
            end(s, new Outcome(FinishReason.STOP, new Usage(s.prompt.length, s.generated)));
        } else if (s.generated == s.maxTokens) {
            finish(s, FinishReason.LENGTH);
        } else {
            s.next[0] = token;
        }
    }

    /** Ends with the decoder's and stop scanner's held-back text flushed. */
    private void finish(Sequence s, FinishReason reason) {
        try {
            s.stream.finish();
        } catch (RuntimeException e) {
            fail(s, new EngineException.Fatal("engine_error", "native engine output failed: " + e.getMessage(), e));
            return;
        }
        end(s, new Outcome(reason, new Usage(s.prompt.length, s.generated)));
    }

    private void end(Sequence s, Outcome outcome) {
        release(s);
        if (!outcome.wasCancelled()) report(s);
        s.result.complete(outcome);
    }

    private void fail(Sequence s, EngineException e) {
        release(s);
        s.result.completeExceptionally(e);
    }

    private void release(Sequence s) {
        active.remove(s);
        if (s.kv != null) cache.release(s.kv);
    }

    private void report(Sequence s) {
        double ms = 1e6;
        RequestTimings t = new RequestTimings(s.requestId, (s.admittedNs - s.submittedNs) / ms,
                s.prefilledNs == 0 ? 0 : (s.prefilledNs - s.admittedNs) / ms,
                s.firstTokenNs == 0 ? 0 : (s.firstTokenNs - s.submittedNs) / ms,
                s.generated < 2 ? 0 : (s.lastTokenNs - s.firstTokenNs) / ms / (s.generated - 1),
                s.prompt.length, s.generated);
        if (log.isDebugEnabled()) log.debug("{}", t);
        try {
            timingsListener.accept(t);
        } catch (RuntimeException e) {
            log.warn("timings listener failed", e);
        }
    }

    /** One request in the engine: waiting, prefilling, or decoding. Touched only by the scheduler after submission. */
    private static final class Sequence {
        final String requestId;
        final int[] prompt;
        final int maxTokens;
        final Sampler sampler;
        final Stream stream;
        final CancelToken cancel;
        final float[] logits;
        final int[] next = new int[1]; // the token this sequence feeds at its next decode row
        final CompletableFuture<Outcome> result = new CompletableFuture<>();
        final long submittedNs = System.nanoTime();
        KvCache.Sequence kv;
        int prefilled;
        int chunk;
        int pos;
        int generated;
        long admittedNs;
        long prefilledNs;
        long firstTokenNs;
        long lastTokenNs;

        Sequence(String requestId, int[] prompt, int maxTokens, Sampler sampler, Stream stream, CancelToken cancel, float[] logits) {
            this.requestId = requestId;
            this.prompt = prompt;
            this.maxTokens = maxTokens;
            this.sampler = sampler;
            this.stream = stream;
            this.cancel = cancel;
            this.logits = logits;
        }
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

    /** Fails what is queued or running as retriable and unmaps the model; a second close is a no-op. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        LockSupport.unpark(scheduler);
        try {
            scheduler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        file.close();
    }
}
