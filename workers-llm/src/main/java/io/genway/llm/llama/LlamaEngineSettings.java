package io.genway.llm.llama;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link LlamaEngine} is set up.
 *
 * @param model         the GGUF file
 * @param models        model names the engine answers to
 * @param slots         sequences decoded together in one batch at most
 * @param contextLength tokens per sequence (prompt and output); 0 takes the model's own
 * @param kvBudgetBytes memory for the KV cache; a request waits until its worst case (prompt + max_tokens) fits
 * @param prefillChunk  prompt tokens computed per step at most, so that a long prompt delays the running streams
 *                      by one chunk's time per step, not by its whole prefill
 * @param activations   how products with Q8_0 and Q4_0 weights are made ({@link Activations})
 */
public record LlamaEngineSettings(Path model, List<String> models, int slots, int contextLength, long kvBudgetBytes, int prefillChunk,
                                  Activations activations) {
    public static final long DEFAULT_KV_BUDGET = 512L << 20;
    public static final int DEFAULT_PREFILL_CHUNK = 64;

    public LlamaEngineSettings {
        Objects.requireNonNull(model, "model");
        models = List.copyOf(models);
        if (models.isEmpty()) throw new IllegalArgumentException("models must name at least one model");
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        if (contextLength < 0) throw new IllegalArgumentException("contextLength must be >= 0, was " + contextLength);
        if (kvBudgetBytes < 1) throw new IllegalArgumentException("kvBudgetBytes must be >= 1, was " + kvBudgetBytes);
        if (prefillChunk < 1) throw new IllegalArgumentException("prefillChunk must be >= 1, was " + prefillChunk);
        Objects.requireNonNull(activations, "activations");
    }

    /** The default KV budget (512 MiB), prefill chunk (64 tokens) and float activations. */
    public LlamaEngineSettings(Path model, List<String> models, int slots, int contextLength) {
        this(model, models, slots, contextLength, DEFAULT_KV_BUDGET, DEFAULT_PREFILL_CHUNK, Activations.F32);
    }
}
