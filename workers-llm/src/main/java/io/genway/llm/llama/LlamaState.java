package io.genway.llm.llama;

/**
 * One sequence run on its own (tests, {@code genway generate}): a KV cache of exactly its capacity, a one-row
 * workspace and its logits. Confined to one thread.
 *
 * <p>The cache holds K and V rounded to F16 when {@code f16Cache} is set, which is what llama.cpp keeps by
 * default.
 */
public final class LlamaState {
    final KvCache.Sequence kv;
    final Llama.Workspace workspace;
    final float[] logits;
    final int[] token = new int[1];
    private final int capacity;

    /** A state for sequences of up to {@code capacity} tokens (at most the model's context length). */
    public LlamaState(LlamaConfig config, int capacity, boolean f16Cache) {
        if (capacity < 1 || capacity > config.contextLength()) {
            throw new IllegalArgumentException("capacity must be in [1, " + config.contextLength() + "], was " + capacity);
        }
        this.capacity = capacity;
        KvCache cache = new KvCache(config, (capacity + KvCache.DEFAULT_BLOCK_TOKENS - 1) / KvCache.DEFAULT_BLOCK_TOKENS, KvCache.DEFAULT_BLOCK_TOKENS, f16Cache);
        this.kv = cache.reserve(capacity);
        this.workspace = new Llama.Workspace(config, 1, 1, Team.SHARED, Activations.F32);
        this.logits = new float[config.vocabularySize()];
    }

    public int capacity() {
        return capacity;
    }
}
