package io.genway.diffusion.clip;

import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.TensorStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * transformers' {@code CLIPTextModel}, the prompt encoder of Stable Diffusion: token plus learned position
 * embeddings, pre-LayerNorm transformer layers with causal self-attention and a {@code quick_gelu} or {@code gelu}
 * MLP, and a final LayerNorm. {@link #encode} returns {@code last_hidden_state}, which the UNet cross-attends to.
 * Attention sees every position (no padding mask), as diffusers calls it for SD 1.x and 2.x.
 *
 * <p>Weights are copied onto the heap at load, so the store may be closed afterwards. Immutable; {@link #encode}
 * may run on several threads at once.
 */
public final class ClipTextModel {
    /** The prefix transformers 4 saved every name with (CLIPTextModel wrapped a CLIPTextTransformer). */
    public static final String PREFIX = "text_model.";
    private static final String FINAL_NORM = "final_layer_norm";

    private final ClipTextConfig config;
    private final float[] tokenEmbedding; // (vocab, dim)
    private final float[] positionEmbedding; // (positions, dim)
    private final List<Layer> layers;
    private final float[] finalNormWeight;
    private final float[] finalNormBias;

    private record Layer(float[] norm1Weight, float[] norm1Bias, float[] qWeight, float[] qBias, float[] kWeight,
                         float[] kBias, float[] vWeight, float[] vBias, float[] outWeight, float[] outBias,
                         float[] norm2Weight, float[] norm2Bias, float[] fc1Weight, float[] fc1Bias, float[] fc2Weight,
                         float[] fc2Bias) {}

    private ClipTextModel(ClipTextConfig config, float[] tokenEmbedding, float[] positionEmbedding, List<Layer> layers,
                          float[] finalNormWeight, float[] finalNormBias) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = List.copyOf(layers);
        this.finalNormWeight = finalNormWeight;
        this.finalNormBias = finalNormBias;
    }

    /**
     * Reads the weights transformers saves for this config, with or without the {@code text_model.} prefix (the
     * Stable Diffusion checkpoints have it; transformers 5 saves without it). A tensor that is missing or has the
     * wrong shape fails naming it and the file. Extra tensors (the {@code position_ids} buffer older checkpoints
     * carry) are ignored.
     */
    public static ClipTextModel load(ClipTextConfig config, TensorStore weights) {
        String prefix = weights.contains(PREFIX + FINAL_NORM + ".weight") ? PREFIX : "";
        Map<String, long[]> shapes = shapes(config);
        Function<String, float[]> read = name -> {
            String stored = prefix + name;
            if (!weights.contains(stored)) {
                throw new SafetensorsException(weights.path(), "text encoder tensor " + stored + " is missing");
            }
            long[] actual = weights.info(stored).shape();
            if (!Arrays.equals(actual, shapes.get(name))) {
                throw new SafetensorsException(weights.path(), "text encoder tensor " + stored + " has shape "
                        + Arrays.toString(actual) + ", the config needs " + Arrays.toString(shapes.get(name)));
            }
            return weights.floats(stored);
        };
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            String p = "encoder.layers." + l + ".";
            layers.add(new Layer(
                    read.apply(p + "layer_norm1.weight"), read.apply(p + "layer_norm1.bias"),
                    read.apply(p + "self_attn.q_proj.weight"), read.apply(p + "self_attn.q_proj.bias"),
                    read.apply(p + "self_attn.k_proj.weight"), read.apply(p + "self_attn.k_proj.bias"),
                    read.apply(p + "self_attn.v_proj.weight"), read.apply(p + "self_attn.v_proj.bias"),
                    read.apply(p + "self_attn.out_proj.weight"), read.apply(p + "self_attn.out_proj.bias"),
                    read.apply(p + "layer_norm2.weight"), read.apply(p + "layer_norm2.bias"),
                    read.apply(p + "mlp.fc1.weight"), read.apply(p + "mlp.fc1.bias"),
                    read.apply(p + "mlp.fc2.weight"), read.apply(p + "mlp.fc2.bias")));
        }
        return new ClipTextModel(config, read.apply("embeddings.token_embedding.weight"),
                read.apply("embeddings.position_embedding.weight"), layers,
                read.apply(FINAL_NORM + ".weight"), read.apply(FINAL_NORM + ".bias"));
    }

    /** The tensors this config needs, unprefixed names to shapes, in name order. */
    public static SequencedMap<String, long[]> shapes(ClipTextConfig config) {
        long dim = config.hiddenSize();
        long ff = config.intermediateSize();
        SortedMap<String, long[]> shapes = new TreeMap<>();
        shapes.put("embeddings.token_embedding.weight", new long[] {config.vocabSize(), dim});
        shapes.put("embeddings.position_embedding.weight", new long[] {config.maxPositionEmbeddings(), dim});
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            String p = "encoder.layers." + l + ".";
            for (String norm : List.of("layer_norm1", "layer_norm2")) {
                shapes.put(p + norm + ".weight", new long[] {dim});
                shapes.put(p + norm + ".bias", new long[] {dim});
            }
            for (String projection : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                shapes.put(p + "self_attn." + projection + ".weight", new long[] {dim, dim});
                shapes.put(p + "self_attn." + projection + ".bias", new long[] {dim});
            }
            shapes.put(p + "mlp.fc1.weight", new long[] {ff, dim});
            shapes.put(p + "mlp.fc1.bias", new long[] {ff});
            shapes.put(p + "mlp.fc2.weight", new long[] {dim, ff});
            shapes.put(p + "mlp.fc2.bias", new long[] {dim});
        }
        shapes.put(FINAL_NORM + ".weight", new long[] {dim});
        shapes.put(FINAL_NORM + ".bias", new long[] {dim});
        return new TreeMap<>(shapes);
    }

    public ClipTextConfig config() {
        return config;
    }

    /** The width of each output position: the UNet's {@code cross_attention_dim} must equal it. */
    public int hiddenSize() {
        return config.hiddenSize();
    }

    /**
     * {@code last_hidden_state} of one token sequence: (tokens, hiddenSize) row-major.
     *
     * @throws IllegalArgumentException for more tokens than position embeddings, or an id outside the vocabulary
     */
    public float[] encode(int[] ids) {
        int tokens = ids.length;
        int dim = config.hiddenSize();
        if (tokens < 1 || tokens > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("token count must be in [1, " + config.maxPositionEmbeddings()
                    + "], was " + tokens);
        }
        float[] x = new float[tokens * dim]; // (tokens, dim)
        for (int t = 0; t < tokens; t++) {
            int id = ids[t];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " at " + t + " is outside the vocabulary of "
                        + config.vocabSize());
            }
            for (int i = 0; i < dim; i++) {
                x[t * dim + i] = tokenEmbedding[id * dim + i] + positionEmbedding[t * dim + i];
            }
        }
        double eps = config.layerNormEps();
        int heads = config.numAttentionHeads();
        int ff = config.intermediateSize();
        for (Layer layer : layers) {
            float[] h = TextOps.layerNorm(x, tokens, dim, layer.norm1Weight(), layer.norm1Bias(), eps);
            float[] q = TextOps.linear(h, tokens, dim, layer.qWeight(), layer.qBias(), dim);
            float[] k = TextOps.linear(h, tokens, dim, layer.kWeight(), layer.kBias(), dim);
            float[] v = TextOps.linear(h, tokens, dim, layer.vWeight(), layer.vBias(), dim);
            float[] attended = TextOps.causalAttention(q, k, v, tokens, heads, config.headDim());
            TextOps.addInPlace(x, TextOps.linear(attended, tokens, dim, layer.outWeight(), layer.outBias(), dim));
            h = TextOps.layerNorm(x, tokens, dim, layer.norm2Weight(), layer.norm2Bias(), eps);
            float[] up = TextOps.linear(h, tokens, dim, layer.fc1Weight(), layer.fc1Bias(), ff); // (tokens, ff)
            if (config.hiddenAct().equals("gelu")) TextOps.gelu(up);
            else TextOps.quickGelu(up);
            TextOps.addInPlace(x, TextOps.linear(up, tokens, ff, layer.fc2Weight(), layer.fc2Bias(), dim));
        }
        return TextOps.layerNorm(x, tokens, dim, finalNormWeight, finalNormBias, eps);
    }
}
