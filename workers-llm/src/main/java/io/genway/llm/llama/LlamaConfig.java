package io.genway.llm.llama;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;

/**
 * The shape of a Llama-family model as GGUF metadata gives it under {@code <arch>.*}, with the switches that set the
 * close variants apart from {@code llama}.
 *
 * @param ropeDimensions leading elements of each head that RoPE rotates (usually all: {@code headDim})
 * @param qkvBias        whether the Q, K and V projections must carry biases ({@code blk.N.attn_q.bias}, ...);
 *                       without it they are read when the file has them, as llama.cpp does for {@code llama}
 * @param slidingWindow  how many positions, the query's own included, each query attends to; 0 for all of them
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
        RopeOrder ropeOrder,
        boolean qkvBias,
        int slidingWindow) {

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
        if (slidingWindow < 0) throw new IllegalArgumentException("slidingWindow must be >= 0 (0: none), was " + slidingWindow);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    /**
     * Reads {@code general.architecture} and its keys; the vocabulary size comes from the token list. The variants,
     * as llama.cpp reads them ({@code src/llama-model.cpp}):
     * <ul>
     *   <li>{@code llama}: RoPE on adjacent pairs (llama.cpp's converter permutes Q and K rows to suit, Mistral's
     *       models included: it writes {@code MistralForCausalLM} as {@code llama}); an
     *       {@code llama.attention.sliding_window} limits attention when the file gives one (llama.cpp ignores it);
     *   <li>{@code mistral}: the same under {@code mistral.*} keys, for files that name it so (llama.cpp writes none);
     *   <li>{@code qwen2}: RoPE on the halves of each head (NeoX order, Q and K unpermuted) and Q/K/V biases.
     * </ul>
     */
    public static LlamaConfig from(GgufMetadata m) {
        String arch = m.string("general.architecture");
        boolean qwen2 = switch (arch) {
            case "llama", "mistral" -> false;
            case "qwen2" -> true;
            default -> throw new GgufFormatException("general.architecture = " + arch + " is not supported (llama, mistral, qwen2)");
        };
        int dim = m.integer(arch + ".embedding_length");
        int heads = m.integer(arch + ".attention.head_count");
        // qwen2's window applies from max_window_layers on, when enabled at all; llama.cpp never applies it
        int window = qwen2 ? 0 : m.integerOr(arch + ".attention.sliding_window", 0);
        if (window < 0) throw new GgufFormatException(arch + ".attention.sliding_window must be >= 0, was " + window);
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
                qwen2 ? RopeOrder.NEOX : RopeOrder.NORMAL,
                qwen2,
                window);
    }

    /** The first position a query at {@code pos} attends to (the window's start, or 0). */
    public int firstAttended(int pos) {
        return slidingWindow == 0 ? 0 : Math.max(0, pos - slidingWindow + 1);
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    public LlamaConfig withRopeOrder(RopeOrder order) {
        return new LlamaConfig(dim, layers, heads, kvHeads, ffnDim, vocabularySize, contextLength, rmsEpsilon, ropeBase, ropeDimensions, order, qkvBias, slidingWindow);
    }
}
