package io.genway.schemas;

import java.util.List;

/**
 * How a transformer samples. Ranges follow OpenAI's API; the gateway validates them before a request is built,
 * so a violation here is a programming error and names the field.
 */
public record SamplingParams(
        int maxTokens,
        double temperature,
        double topP,
        double frequencyPenalty,
        double presencePenalty,
        List<String> stop) {

    public static final int MAX_STOP_SEQUENCES = 4;

    public SamplingParams {
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, was " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2)) throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) throw new IllegalArgumentException("frequency_penalty must be in [-2, 2]");
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) throw new IllegalArgumentException("presence_penalty must be in [-2, 2]");
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP_SEQUENCES) throw new IllegalArgumentException("stop takes at most " + MAX_STOP_SEQUENCES + " sequences");
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
