package io.genway.llm.llama;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;

/**
 * The shape of a Llama model as GGUF metadata gives it under {@code <arch>.*}.
 *
 * @param ropeDimensions leading elements of each head that RoPE rotates (usually all: {@code headDim})
 */
public record LlamaConfig(
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int ffnDim,
        int vocabularySize,
        int contextLength,
        float rmsEpsilon,
        float ropeBase,
        int ropeDimensions,
        RopeOrder ropeOrder) {

    public LlamaConfig {
        requirePositive("dim", dim);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("ffnDim", ffnDim);
        requirePositive("vocabularySize", vocabularySize);
        requirePositive("contextLength", contextLength);
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " must be a multiple of heads " + heads);
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " must be a multiple of kvHeads " + kvHeads);
        if (!(rmsEpsilon > 0)) throw new IllegalArgumentException("rmsEpsilon must be > 0, was " + rmsEpsilon);
        if (!(ropeBase > 0)) throw new IllegalArgumentException("ropeBase must be > 0, was " + ropeBase);
        if (ropeDimensions <= 0 || ropeDimensions > dim / heads || ropeDimensions % 2 != 0) {
            throw new IllegalArgumentException("ropeDimensions must be even and in (0, headDim = " + dim / heads + "], was " + ropeDimensions);
        }
        java.util.Objects.requireNonNull(ropeOrder, "ropeOrder");
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    /** Reads {@code general.architecture} and its keys; the vocabulary size comes from the token list. */
    public static LlamaConfig from(GgufMetadata m) {
        String arch = m.string("general.architecture");
        if (!arch.equals("llama")) throw new GgufFormatException("general.architecture = " + arch + " is not supported (only llama)");
        int dim = m.integer(arch + ".embedding_length");
        int heads = m.integer(arch + ".attention.head_count");
        return new LlamaConfig(
                dim,
                m.integer(arch + ".block_count"),
                heads,
                m.integerOr(arch + ".attention.head_count_kv", heads),
                m.integer(arch + ".feed_forward_length"),
                m.contains(arch + ".vocab_size") ? m.integer(arch + ".vocab_size") : m.strings("tokenizer.ggml.tokens").length,
                m.integer(arch + ".context_length"),
                m.float32(arch + ".attention.layer_norm_rms_epsilon"),
                m.float32Or(arch + ".rope.freq_base", 10000f),
                m.integerOr(arch + ".rope.dimension_count", dim / heads),
                RopeOrder.NORMAL);
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    public LlamaConfig withRopeOrder(RopeOrder order) {
        return new LlamaConfig(dim, layers, heads, kvHeads, ffnDim, vocabularySize, contextLength, rmsEpsilon, ropeBase, ropeDimensions, order);
    }
}
