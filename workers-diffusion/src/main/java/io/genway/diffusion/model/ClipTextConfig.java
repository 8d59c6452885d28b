package io.genway.diffusion.model;

import java.nio.file.Path;
import java.util.Set;

/**
 * transformers' {@code CLIPTextConfig}: the text encoder of Stable Diffusion 1.x ({@code quick_gelu}, 12 layers of
 * 768) and 2.x ({@code gelu}, 23 layers of 1024), saved as {@code text_encoder/config.json}. Defaults are
 * transformers' own, for keys an older file lacks.
 *
 * @param hiddenAct {@code quick_gelu} ({@code x * sigmoid(1.702 x)}) or {@code gelu} (the exact, erf form)
 */
public record ClipTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        double layerNormEps) {

    public static final String CLASS_NAME = "CLIPTextModel";
    static final Set<String> ACTIVATIONS = Set.of("quick_gelu", "gelu");

    public ClipTextConfig {
        if (vocabSize < 1) throw new IllegalArgumentException("vocab_size must be >= 1, was " + vocabSize);
        if (hiddenSize < 1) throw new IllegalArgumentException("hidden_size must be >= 1, was " + hiddenSize);
        if (intermediateSize < 1) {
            throw new IllegalArgumentException("intermediate_size must be >= 1, was " + intermediateSize);
        }
        if (numHiddenLayers < 1) {
            throw new IllegalArgumentException("num_hidden_layers must be >= 1, was " + numHiddenLayers);
        }
        if (numAttentionHeads < 1 || hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads must divide hidden_size " + hiddenSize + ", was "
                    + numAttentionHeads);
        }
        if (maxPositionEmbeddings < 2) {
            throw new IllegalArgumentException("max_position_embeddings must be >= 2, was " + maxPositionEmbeddings);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException("hidden_act must be one of " + ACTIVATIONS + ", was " + hiddenAct);
        }
        if (!(layerNormEps > 0)) throw new IllegalArgumentException("layer_norm_eps must be > 0, was " + layerNormEps);
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public static ClipTextConfig read(Path configJson) {
        ConfigJson json = ConfigJson.read(configJson);
        if (json.root().has("architectures") && json.root().get("architectures").isArray()) {
            String first = json.root().get("architectures").path(0).asText(CLASS_NAME);
            if (!first.equals(CLASS_NAME)) throw json.unsupported("architectures", first, Set.of(CLASS_NAME));
        }
        return json.build(() -> new ClipTextConfig(
                json.integer("vocab_size", 49408),
                json.integer("hidden_size", 512),
                json.integer("intermediate_size", 2048),
                json.integer("num_hidden_layers", 12),
                json.integer("num_attention_heads", 8),
                json.integer("max_position_embeddings", 77),
                json.oneOf("hidden_act", "quick_gelu", ACTIVATIONS),
                json.decimal("layer_norm_eps", 1e-5)));
    }
}
