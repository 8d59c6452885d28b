package io.genway.schemas;

import java.util.List;

/**
 * How a transformer samples. Ranges follow OpenAI's API, and for the fields OpenAI lacks, vLLM's ({@code top_k},
 * {@code min_p}, {@code repetition_penalty}); the gateway validates them before a request is built, so a violation
 * here is a programming error and names the field.
 *
 * @param topK keep only the {@code top_k} most likely tokens; 0 keeps all
 * @param minP keep only tokens at least {@code min_p} times as likely as the most likely one; 0 keeps all
 * @param repetitionPenalty divides the positive logits (multiplies the negative ones) of every token in the prompt
 *     or the output so far; 1 is no penalty. A record written before the field existed reads 0, taken as 1.
 */
public record SamplingParams(
        int maxTokens,
        double temperature,
        double topP,
        int topK,
        double minP,
        double frequencyPenalty,
        double presencePenalty,
        double repetitionPenalty,
        List<String> stop) {

    public static final int MAX_STOP_SEQUENCES = 4;
    public static final double MAX_REPETITION_PENALTY = 2;

    public SamplingParams {
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, was " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, was " + topK);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], was " + minP);
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) throw new IllegalArgumentException("frequency_penalty must be in [-2, 2]");
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) throw new IllegalArgumentException("presence_penalty must be in [-2, 2]");
        if (repetitionPenalty == 0) repetitionPenalty = 1;
        if (!(repetitionPenalty > 0 && repetitionPenalty <= MAX_REPETITION_PENALTY)) {
            throw new IllegalArgumentException("repetition_penalty must be in (0, " + MAX_REPETITION_PENALTY + "], was " + repetitionPenalty);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP_SEQUENCES) throw new IllegalArgumentException("stop takes at most " + MAX_STOP_SEQUENCES + " sequences");
    }

    /** OpenAI's fields only: no top-k, min-p or repetition penalty. */
    public SamplingParams(int maxTokens, double temperature, double topP, double frequencyPenalty, double presencePenalty, List<String> stop) {
        this(maxTokens, temperature, topP, 0, 0, frequencyPenalty, presencePenalty, 1, stop);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
