package io.genway.llm.llama;

import io.genway.llm.gguf.GgufFile;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * A Llama decoder: token embedding, then per layer RMSNorm, grouped-query attention with RoPE and a KV cache,
 * RMSNorm, SwiGLU feed-forward, each added to the residual stream; a final RMSNorm and the output projection.
 * Plain loops on F32, one token per step; large matrix-vector products are spread over the common fork-join pool. Immutable and shareable; per-sequence data lives in {@link LlamaState}.
 */
public record Llama(LlamaConfig config, LlamaWeights weights) {
    public Llama {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
    }

    public static Llama load(GgufFile file) {
        LlamaConfig config = LlamaConfig.from(file.metadata());
        return new Llama(config, LlamaWeights.load(file, config));
    }

    /** Runs token {@code token} at position {@code pos} and returns the next-token logits (a view into {@code s}). */
    public float[] forward(LlamaState s, int token, int pos) {
        LlamaConfig c = config;
        if (token < 0 || token >= c.vocabularySize()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary");
        if (pos < 0 || pos >= s.capacity) throw new IllegalArgumentException("position " + pos + " is outside the state's capacity " + s.capacity);
        int dim = c.dim();
        int kvDim = c.kvDim();
        System.arraycopy(weights.tokenEmbedding(), token * dim, s.x, 0, dim);

        for (int l = 0; l < c.layers(); l++) {
            LlamaWeights.Layer w = weights.layers()[l];
            rmsNorm(s.xb, s.x, w.attentionNorm(), c.rmsEpsilon());
            matVec(s.q, w.wq(), s.xb, dim, dim);
            matVec(s.k, w.wk(), s.xb, kvDim, dim);
            matVec(s.v, w.wv(), s.xb, kvDim, dim);
            rope(s.q, c.heads(), pos);
            rope(s.k, c.kvHeads(), pos);
            store(s, s.keyCache[l], s.k, pos * kvDim);
            store(s, s.valueCache[l], s.v, pos * kvDim);
            attention(s, l, pos);
            matVec(s.xb2, w.wo(), s.xb, dim, dim);
            add(s.x, s.xb2);

            rmsNorm(s.xb, s.x, w.ffnNorm(), c.rmsEpsilon());
            matVec(s.hb, w.gate(), s.xb, c.ffnDim(), dim);
            matVec(s.hb2, w.up(), s.xb, c.ffnDim(), dim);
            for (int i = 0; i < c.ffnDim(); i++) s.hb[i] = silu(s.hb[i]) * s.hb2[i];
            matVec(s.xb2, w.down(), s.hb, dim, c.ffnDim());
            add(s.x, s.xb2);
        }

        rmsNorm(s.x, s.x, weights.outputNorm(), c.rmsEpsilon());
        matVec(s.logits, weights.output(), s.x, c.vocabularySize(), dim);
        return s.logits;
    }

    /** Each query head attends over positions 0..pos of its KV head; the result goes to {@code s.xb}. */
    private void attention(LlamaState s, int layer, int pos) {
        LlamaConfig c = config;
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        int group = c.heads() / c.kvHeads(); // query heads sharing one KV head
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] keys = s.keyCache[layer];
        float[] values = s.valueCache[layer];
        for (int h = 0; h < c.heads(); h++) {
            int qOff = h * headDim;
            int kvOff = (h / group) * headDim;
            for (int t = 0; t <= pos; t++) {
                float dot = 0f;
                for (int i = 0; i < headDim; i++) dot += s.q[qOff + i] * keys[t * kvDim + kvOff + i];
                s.attention[t] = dot * scale;
            }
            softmax(s.attention, pos + 1);
            java.util.Arrays.fill(s.xb, qOff, qOff + headDim, 0f);
            for (int t = 0; t <= pos; t++) {
                float a = s.attention[t];
                for (int i = 0; i < headDim; i++) s.xb[qOff + i] += a * values[t * kvDim + kvOff + i];
            }
        }
    }

    /** Rotates each head's first ropeDimensions elements by position-dependent angles, pairing per the rope order. */
    private void rope(float[] vec, int heads, int pos) {
        LlamaConfig c = config;
        int headDim = c.headDim();
        int n = c.ropeDimensions();
        // theta_i = pos * base^(-2i/n), stepped in float as ggml does so that angles agree to the last bit
        float thetaScale = (float) Math.pow(c.ropeBase(), -2.0 / n);
        for (int h = 0; h < heads; h++) {
            float theta = pos;
            for (int i = 0; i < n / 2; i++) {
                float cos = (float) Math.cos(theta);
                float sin = (float) Math.sin(theta);
                int a = h * headDim + (c.ropeOrder() == RopeOrder.NORMAL ? 2 * i : i);
                int b = a + (c.ropeOrder() == RopeOrder.NORMAL ? 1 : n / 2);
                float x0 = vec[a];
                float x1 = vec[b];
                vec[a] = x0 * cos - x1 * sin;
                vec[b] = x0 * sin + x1 * cos;
                theta *= thetaScale;
            }
        }
    }

    private static void store(LlamaState s, float[] cache, float[] vec, int at) {
        for (int i = 0; i < vec.length; i++) cache[at + i] = s.f16Cache ? Float.float16ToFloat(Float.floatToFloat16(vec[i])) : vec[i];
    }

    /** out = x / rms(x) * weight; the sum of squares in double, as ggml does. */
    static void rmsNorm(float[] out, float[] x, float[] weight, float eps) {
        double sum = 0;
        for (float v : x) sum += v * v;
        float scale = (float) (1.0 / Math.sqrt((float) (sum / x.length) + eps));
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
    }

    /**
     * Multiply-adds below which a product runs on the calling thread: forking costs a few microseconds, which a
     * product this small (stories260K's largest is 512 x 64) does not pay back.
     */
    static final int PARALLEL_WORK = 1 << 16;
    /** Multiply-adds per forked task, so that each task outweighs the cost of forking it. */
    static final int TASK_WORK = 1 << 14;

    /**
     * out(rows) = w(rows, cols) · x(cols). Large products are split by rows over the common fork-join pool; each
     * row's dot product is summed in the same order either way, so the result is bit-identical to
     * {@link #matVecSequential}.
     */
    static void matVec(float[] out, float[] w, float[] x, int rows, int cols) {
        if ((long) rows * cols < PARALLEL_WORK || !MULTICORE) matVecSequential(out, w, x, 0, rows, cols);
        else matVecParallel(out, w, x, rows, cols);
    }

    // the caller works too, so even a common pool of parallelism 1 (two cores) adds a thread
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

    static void matVecParallel(float[] out, float[] w, float[] x, int rows, int cols) {
        int rowsPerTask = Math.max(1, TASK_WORK / cols);
        ForkJoinPool.commonPool().invoke(new RowBlock(out, w, x, 0, rows, cols, rowsPerTask));
    }

    /** out[from..to) = w[from..to, :] · x, one row at a time, each summed from column 0 upwards. */
    static void matVecSequential(float[] out, float[] w, float[] x, int from, int to, int cols) {
        for (int r = from; r < to; r++) {
            float sum = 0f;
            int off = r * cols;
            for (int i = 0; i < cols; i++) sum += w[off + i] * x[i];
            out[r] = sum;
        }
    }

    /** Rows [from, to) of a product, halved until a block holds at most {@code rowsPerTask} rows. */
    private static final class RowBlock extends RecursiveAction {
        private final float[] out;
        private final float[] w;
        private final float[] x;
        private final int from;
        private final int to;
        private final int cols;
        private final int rowsPerTask;

        RowBlock(float[] out, float[] w, float[] x, int from, int to, int cols, int rowsPerTask) {
            this.out = out;
            this.w = w;
            this.x = x;
            this.from = from;
            this.to = to;
            this.cols = cols;
            this.rowsPerTask = rowsPerTask;
        }

        @Override
        protected void compute() {
            if (to - from <= rowsPerTask) {
                matVecSequential(out, w, x, from, to, cols);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new RowBlock(out, w, x, from, mid, cols, rowsPerTask), new RowBlock(out, w, x, mid, to, cols, rowsPerTask));
        }
    }

    static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) x[i] *= inv;
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) x[i] += delta[i];
    }

    private static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }
}
