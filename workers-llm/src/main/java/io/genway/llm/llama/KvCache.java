package io.genway.llm.llama;

import java.util.Arrays;

/**
 * The KV cache as a pool of fixed-size blocks shared by all sequences: a sequence owns a list of blocks (its
 * block table) reserved for its worst case when it is admitted, and returns them when it ends. A block holds
 * {@code blockTokens} positions of keys and values for every layer; its memory is allocated on first use and
 * then reused. Thread-safe for reserve and release; reads and writes of a sequence's contents belong to the
 * thread running it.
 *
 * <p>Values are held as floats; with {@code f16} they are rounded to F16 first, as llama.cpp's default cache keeps
 * them (so that results agree with it to the last bit).
 */
public final class KvCache {
    public static final int DEFAULT_BLOCK_TOKENS = 16;

    final int blockTokens;
    final int kvDim;
    final int layers;
    final boolean f16;
    private final int blockFloats;
    private final float[][] blocks;
    private final int[] freeList;
    private int freeCount;

    /** A pool of {@code blockCount} blocks of {@code blockTokens} positions each. */
    public KvCache(LlamaConfig config, int blockCount, int blockTokens, boolean f16) {
        if (blockTokens < 1) throw new IllegalArgumentException("blockTokens must be >= 1, was " + blockTokens);
        if (blockCount < 1) throw new IllegalArgumentException("a KV cache needs at least one block, was " + blockCount);
        this.blockTokens = blockTokens;
        this.kvDim = config.kvDim();
        this.layers = config.layers();
        this.f16 = f16;
        this.blockFloats = Math.toIntExact(2L * layers * blockTokens * kvDim);
        this.blocks = new float[blockCount][];
        this.freeList = new int[blockCount];
        for (int i = 0; i < blockCount; i++) freeList[i] = blockCount - 1 - i;
        this.freeCount = blockCount;
    }

    /** Bytes each position of context takes here: keys and values of every layer, {@link #BYTES_PER_ELEMENT} each. */
    public static long bytesPerToken(LlamaConfig config) {
        return 2L * config.layers() * config.kvDim() * BYTES_PER_ELEMENT;
    }

    /** The cache holds floats. */
    public static final int BYTES_PER_ELEMENT = Float.BYTES;

    /** The number of blocks a budget of {@code budgetBytes} pays for (0 when it cannot pay for one). */
    public static long blocksFor(LlamaConfig config, long budgetBytes, int blockTokens) {
        return budgetBytes / (bytesPerToken(config) * blockTokens);
    }

    public int blockCount() {
        return blocks.length;
    }

    public synchronized int freeBlocks() {
        return freeCount;
    }

    public synchronized long freeBytes() {
        return (long) freeCount * blockTokens * bytesPerTokenHere();
    }

    private long bytesPerTokenHere() {
        return 2L * layers * kvDim * BYTES_PER_ELEMENT;
    }

    /** Blocks needed to hold {@code tokens} positions. */
    public int blocksFor(int tokens) {
        return (tokens + blockTokens - 1) / blockTokens;
    }

    /** Reserves room for {@code tokens} positions, or returns null when the pool has too few free blocks now. */
    public synchronized Sequence reserve(int tokens) {
        int need = blocksFor(tokens);
        if (need > freeCount) return null;
        int[] table = new int[need];
        for (int i = 0; i < need; i++) {
            int b = freeList[--freeCount];
            if (blocks[b] == null) blocks[b] = new float[blockFloats];
            table[i] = b;
        }
        return new Sequence(table, need * blockTokens);
    }

    /** Returns a sequence's blocks to the pool; a second release of the same sequence is a no-op. */
    public synchronized void release(Sequence s) {
        if (s.released) return;
        s.released = true;
        for (int b : s.table) freeList[freeCount++] = b;
    }

    /** One sequence's block table. */
    public final class Sequence {
        private final int[] table;
        private final int capacity;
        private boolean released;

        private Sequence(int[] table, int capacity) {
            this.table = table;
            this.capacity = capacity;
        }

        /** Positions this sequence can hold. */
        public int capacity() {
            return capacity;
        }

        KvCache cache() {
            return KvCache.this;
        }

        /** The block holding position {@code pos}. */
        float[] block(int pos) {
            return blocks[table[pos / blockTokens]];
        }

        /** Offset of the keys of {@code layer} at {@code pos} within {@link #block}; the values follow at {@link #valueOffset}. */
        int keyOffset(int layer, int pos) {
            return (2 * layer * blockTokens + pos % blockTokens) * kvDim;
        }

        int valueOffset(int layer, int pos) {
            return ((2 * layer + 1) * blockTokens + pos % blockTokens) * kvDim;
        }

        void store(int layer, int pos, float[] k, int kFrom, float[] v, int vFrom) {
            float[] block = block(pos);
            int ko = keyOffset(layer, pos);
            int vo = valueOffset(layer, pos);
            if (f16) {
                for (int i = 0; i < kvDim; i++) {
                    block[ko + i] = Float.float16ToFloat(Float.floatToFloat16(k[kFrom + i]));
                    block[vo + i] = Float.float16ToFloat(Float.floatToFloat16(v[vFrom + i]));
                }
            } else {
                System.arraycopy(k, kFrom, block, ko, kvDim);
                System.arraycopy(v, vFrom, block, vo, kvDim);
            }
        }

        @Override
        public String toString() {
            return "Sequence" + Arrays.toString(table);
        }
    }
}
