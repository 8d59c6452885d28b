package io.genway.llm.llama;

/**
 * One sequence's activations and KV cache. Confined to the thread that runs the sequence; reused across steps so
 * that a decode step allocates nothing.
 *
 * <p>The cache holds K and V rounded to F16 when {@code f16Cache} is set, which is what llama.cpp keeps by
 * default; the values stay in float arrays so that reads need no conversion.
 */
public final class LlamaState {
    final LlamaConfig config;
    final int capacity;
    final boolean f16Cache;
    final float[] x;         // (dim) the residual stream
    final float[] xb;        // (dim) normed input / attention output
    final float[] xb2;       // (dim) projection output
    final float[] hb;        // (ffnDim) gate
    final float[] hb2;       // (ffnDim) up
    final float[] q;         // (dim)
    final float[] k;         // (kvDim)
    final float[] v;         // (kvDim)
    final float[] attention; // (capacity) one head's scores
    final float[] logits;    // (vocab)
    final float[][] keyCache;   // (layer, capacity * kvDim)
    final float[][] valueCache; // (layer, capacity * kvDim)

    /** A state for sequences of up to {@code capacity} tokens (at most the model's context length). */
    public LlamaState(LlamaConfig config, int capacity, boolean f16Cache) {
        if (capacity < 1 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("capacity must be in [1, " + config.contextLength() + "], was " + capacity);
        }
        this.config = config;
        this.capacity = capacity;
        this.f16Cache = f16Cache;
        x = new float[config.dim()];
        xb = new float[config.dim()];
        xb2 = new float[config.dim()];
        hb = new float[config.ffnDim()];
        hb2 = new float[config.ffnDim()];
        q = new float[config.dim()];
        k = new float[config.kvDim()];
        v = new float[config.kvDim()];
        attention = new float[capacity];
        logits = new float[config.vocabularySize()];
        keyCache = new float[config.layers()][capacity * config.kvDim()];
        valueCache = new float[config.layers()][capacity * config.kvDim()];
    }

    public int capacity() {
        return capacity;
    }

    /** KV-cache bytes per token as llama.cpp would hold them (F16) or as held here (F32). */
    public static long kvBytesPerToken(LlamaConfig config, boolean f16Cache) {
        return 2L * config.layers() * config.kvDim() * (f16Cache ? 2 : 4);
    }
}
