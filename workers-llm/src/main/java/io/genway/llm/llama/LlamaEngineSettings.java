package io.genway.llm.llama;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link LlamaEngine} is set up.
 *
 * @param model         the GGUF file
 * @param models        model names the engine answers to
 * @param slots         requests run at once, one thread each
 * @param contextLength tokens per sequence (prompt and output); 0 takes the model's own
 */
public record LlamaEngineSettings(Path model, List<String> models, int slots, int contextLength) {
    public LlamaEngineSettings {
        Objects.requireNonNull(model, "model");
        models = List.copyOf(models);
        if (models.isEmpty()) throw new IllegalArgumentException("models must name at least one model");
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, was " + slots);
        if (contextLength < 0) throw new IllegalArgumentException("contextLength must be >= 0, was " + contextLength);
    }
}
