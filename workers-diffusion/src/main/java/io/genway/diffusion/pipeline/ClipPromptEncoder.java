package io.genway.diffusion.pipeline;

import io.genway.diffusion.clip.ClipTextModel;
import io.genway.diffusion.clip.ClipTokenizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CLIP's tokenizer and text encoder as the pipeline's {@link PromptEncoder}. The last few prompts' states are kept:
 * the empty negative prompt comes with almost every guided request, and a batch often repeats a prompt.
 */
public final class ClipPromptEncoder implements PromptEncoder {
    private static final int REMEMBERED = 16;

    private final ClipTokenizer tokenizer;
    private final ClipTextModel model;
    private final Map<String, float[]> recent = new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > REMEMBERED;
        }
    };

    public ClipPromptEncoder(ClipTokenizer tokenizer, ClipTextModel model) {
        if (tokenizer.maxLength() > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("the tokenizer's model_max_length " + tokenizer.maxLength()
                    + " exceeds the text encoder's max_position_embeddings " + model.config().maxPositionEmbeddings());
        }
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer's " + tokenizer.vocabSize()
                    + " tokens exceed the text encoder's vocab_size " + model.config().vocabSize());
        }
        this.tokenizer = tokenizer;
        this.model = model;
    }

    @Override
    public int tokens() {
        return tokenizer.maxLength();
    }

    @Override
    public int width() {
        return model.hiddenSize();
    }

    /** Callers get a shared array: they must not write to it. */
    @Override
    public float[] encode(String prompt) {
        synchronized (recent) {
            float[] known = recent.get(prompt);
            if (known != null) return known;
        }
        float[] states = model.encode(tokenizer.encode(prompt));
        synchronized (recent) {
            recent.put(prompt, states);
        }
        return states;
    }
}
