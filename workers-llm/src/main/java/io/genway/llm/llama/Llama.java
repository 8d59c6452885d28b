package io.genway.llm.llama;

import io.genway.llm.gguf.GgufFile;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Llama decoder: token embedding, then per layer RMSNorm, grouped-query attention with RoPE and a KV cache (Q/K/V
 * biases and a sliding window where the config has them), RMSNorm, SwiGLU feed-forward, each added to the residual stream; a final RMSNorm and the output projection.
 *
 * <p>One {@link #step} runs a batch: every row is one token of some sequence (a decode token, or part of a
 * prompt), and each weight matrix is multiplied by all rows at once ({@link Kernels}), so a weight is read from
 * memory once per step however many sequences share it. Attention is per row, over its own sequence's cache up to
 * its own position. A row's numbers never depend on the other rows of its step. Immutable and shareable; each
 * caller brings its own {@link Workspace}.
 */
public record Llama(LlamaConfig config, LlamaWeights weights) {
    public Llama {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(weights, "weights");
    }

    /** Reads the model; its matrices stay in {@code file}, which must stay open while the model is used. */
    public static Llama load(GgufFile file) {
        LlamaConfig config = LlamaConfig.from(file.metadata());
        return new Llama(config, LlamaWeights.load(file, config));
    }

    /**
     * One sequence's rows in a step: {@code tokens[from, from + count)} at positions {@code pos, pos + 1, ...}.
     * When {@code logits} is not null, the next-token logits after its last row are written there.
     */
    public record Slice(KvCache.Sequence kv, int[] tokens, int from, int count, int pos, float[] logits) {
        public Slice {
            Objects.requireNonNull(kv, "kv");
            if (count < 1 || from < 0 || from + count > tokens.length) throw new IllegalArgumentException("slice [" + from + ", +" + count + ") is outside its " + tokens.length + " tokens");
            if (pos < 0 || pos + count > kv.capacity()) {
                throw new IllegalArgumentException("positions [" + pos + ", " + (pos + count) + ") are outside the sequence's capacity " + kv.capacity());
            }
        }
    }

    /**
     * Activations for steps of up to {@code maxRows} rows, {@code maxLogits} of which want logits, with float
     * activations ({@link Activations#F32}). One thread at a time.
     */
    public Workspace workspace(int maxRows, int maxLogits) {
        return workspace(maxRows, maxLogits, Activations.F32);
    }

    /** As {@link #workspace(int, int)}, with products of quantized weights made the {@code activations} way. */
    public Workspace workspace(int maxRows, int maxLogits, Activations activations) {
        return new Workspace(config, maxRows, maxLogits, Team.SHARED, activations);
    }

    /** Total bytes of the weight matrices a step reads (the token embedding only by row, so not counted). */
    public long weightBytesPerStep() {
        long bytes = weights.output().data().byteSize();
        for (LlamaWeights.Layer w : weights.layers()) {
            for (Matrix m : List.of(w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down())) bytes += m.data().byteSize();
        }
        return bytes;
    }

    /** Runs one step over {@code slices} (each sequence at most once); see {@link Slice}. */
    public void step(Workspace ws, List<Slice> slices) {
        LlamaConfig c = config;
        int dim = c.dim();
        int kvDim = c.kvDim();
        int n = 0;
        for (Slice s : slices) n += s.count();
        if (n > ws.maxRows) throw new IllegalArgumentException(n + " rows exceed the workspace's " + ws.maxRows);
        int row = 0;
        for (Slice s : slices) {
            for (int j = 0; j < s.count(); j++, row++) {
                int token = s.tokens()[s.from() + j];
                if (token < 0 || token >= c.vocabularySize()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary");
                ws.rowKv[row] = s.kv();
                ws.rowPos[row] = s.pos() + j;
                weights.tokenEmbedding().readRow(token, ws.x, row * dim);
            }
        }
        int rows = n;
        Matrix[] qkv = new Matrix[3];
        Matrix[] gateUp = new Matrix[2];
        for (int l = 0; l < c.layers(); l++) {
            LlamaWeights.Layer w = weights.layers()[l];
            for (int i = 0; i < rows; i++) rmsNorm(ws.xb, i * dim, ws.x, i * dim, dim, w.attentionNorm(), c.rmsEpsilon());
            qkv[0] = w.wq();
            qkv[1] = w.wk();
            qkv[2] = w.wv();
            Kernels.matmul(ws.team, qkv, ws.xb, rows, ws.qkvOut, ws.scratch, ws.activations);
            addBias(ws.q, rows, w.qBias());
            addBias(ws.k, rows, w.kBias());
            addBias(ws.v, rows, w.vBias());
            for (int i = 0; i < rows; i++) {
                rope(ws.q, i * dim, c.heads(), ws.rowPos[i]);
                rope(ws.k, i * kvDim, c.kvHeads(), ws.rowPos[i]);
                ws.rowKv[i].store(l, ws.rowPos[i], ws.k, i * kvDim, ws.v, i * kvDim);
            }
            attention(ws, l, rows);
            Kernels.matmul(ws.team, w.wo(), ws.xb, rows, ws.xb2, ws.scratch, ws.activations);
            add(ws.x, ws.xb2, rows * dim);

            for (int i = 0; i < rows; i++) rmsNorm(ws.xb, i * dim, ws.x, i * dim, dim, w.ffnNorm(), c.rmsEpsilon());
            gateUp[0] = w.gate();
            gateUp[1] = w.up();
            Kernels.matmul(ws.team, gateUp, ws.xb, rows, ws.gateUpOut, ws.scratch, ws.activations);
            for (int i = 0; i < rows * c.ffnDim(); i++) ws.hb[i] = silu(ws.hb[i]) * ws.hb2[i];
            Kernels.matmul(ws.team, w.down(), ws.hb, rows, ws.xb2, ws.scratch, ws.activations);
            add(ws.x, ws.xb2, rows * dim);
        }

        int wanted = 0;
        row = 0;
        for (Slice s : slices) {
            row += s.count();
            if (s.logits() != null) rmsNorm(ws.xb, wanted++ * dim, ws.x, (row - 1) * dim, dim, weights.outputNorm(), c.rmsEpsilon());
        }
        if (wanted > ws.maxLogits) throw new IllegalArgumentException(wanted + " sequences want logits, the workspace holds " + ws.maxLogits);
        if (wanted == 0) return;
        Kernels.matmul(ws.team, weights.output(), ws.xb, wanted, ws.logits, ws.scratch, ws.activations);
        int vocab = c.vocabularySize();
        wanted = 0;
        for (Slice s : slices) {
            if (s.logits() != null) System.arraycopy(ws.logits, wanted++ * vocab, s.logits(), 0, vocab);
        }
    }

    /** Runs token {@code token} at position {@code pos} of one sequence and returns the next-token logits (a view into {@code s}). */
    public float[] forward(LlamaState s, int token, int pos) {
        if (token < 0 || token >= config.vocabularySize()) throw new IllegalArgumentException("token " + token + " is outside the vocabulary");
        if (pos < 0 || pos >= s.capacity()) throw new IllegalArgumentException("position " + pos + " is outside the state's capacity " + s.capacity());
        s.token[0] = token;
        step(s.workspace, List.of(new Slice(s.kv, s.token, 0, 1, pos, s.logits)));
        return s.logits;
    }

    /**
     * Each query head of each row attends over its KV head's positions from {@link LlamaConfig#firstAttended} to its
     * own; the result goes to {@code ws.xb}.
     */
    private void attention(Workspace ws, int layer, int rows) {
        LlamaConfig c = config;
        int heads = c.heads();
        long work = 0;
        for (int i = 0; i < rows; i++) work += (long) (ws.rowPos[i] + 1 - c.firstAttended(ws.rowPos[i])) * c.dim() * 2;
        ws.team.run(rows * heads, work >= Kernels.PARALLEL_WORK, (member, item) -> attendHead(ws, layer, item / heads, item % heads, ws.scores[member]));
    }

    private void attendHead(Workspace ws, int layer, int row, int h, float[] scores) {
        LlamaConfig c = config;
        int headDim = c.headDim();
        int group = c.heads() / c.kvHeads(); // query heads sharing one KV head
        float scale = (float) (1.0 / Math.sqrt(headDim));
        KvCache.Sequence kv = ws.rowKv[row];
        int pos = ws.rowPos[row];
        float[] q = ws.q;
        float[] out = ws.xb;
        int qOff = row * c.dim() + h * headDim;
        int kvOff = (h / group) * headDim;
        int first = c.firstAttended(pos); // scores[t - first] is position t's
        for (int t = first; t <= pos; t++) {
            float[] block = kv.block(t);
            int k = kv.keyOffset(layer, t) + kvOff;
            float dot = 0f;
            for (int i = 0; i < headDim; i++) dot += q[qOff + i] * block[k + i];
            scores[t - first] = dot * scale;
        }
        softmax(scores, pos + 1 - first);
        Arrays.fill(out, qOff, qOff + headDim, 0f);
        for (int t = first; t <= pos; t++) {
            float[] block = kv.block(t);
            int v = kv.valueOffset(layer, t) + kvOff;
            float a = scores[t - first];
            for (int i = 0; i < headDim; i++) out[qOff + i] += a * block[v + i];
        }
    }

    /** Rotates each head's first ropeDimensions elements by position-dependent angles, pairing per the rope order. */
    private void rope(float[] vec, int offset, int heads, int pos) {
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
                int a = offset + h * headDim + (c.ropeOrder() == RopeOrder.NORMAL ? 2 * i : i);
                int b = a + (c.ropeOrder() == RopeOrder.NORMAL ? 1 : n / 2);
                float x0 = vec[a];
                float x1 = vec[b];
                vec[a] = x0 * cos - x1 * sin;
                vec[b] = x0 * sin + x1 * cos;
                theta *= thetaScale;
            }
        }
    }

    /** out = x / rms(x) * weight over {@code n} elements; the sum of squares in double, as ggml does. */
    static void rmsNorm(float[] out, int outFrom, float[] x, int from, int n, float[] weight, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[from + i] * x[from + i];
        float scale = (float) (1.0 / Math.sqrt((float) (sum / n) + eps));
        for (int i = 0; i < n; i++) out[outFrom + i] = x[from + i] * scale * weight[i];
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

    /** Adds {@code bias} to each of {@code rows} rows of {@code x} (rows of bias.length); nothing when it is null. */
    private static void addBias(float[] x, int rows, float[] bias) {
        if (bias == null) return;
        int n = bias.length;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) x[r * n + i] += bias[i];
        }
    }

    private static void add(float[] x, float[] delta, int n) {
        for (int i = 0; i < n; i++) x[i] += delta[i];
    }

    private static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** Per-step activations, reused so that a step allocates little. */
    public static final class Workspace {
        final int maxRows;
        final int maxLogits;
        final Team team;
        final Activations activations;
        final float[] x;      // (rows, dim) the residual stream
        final float[] xb;     // (rows, dim) normed input / attention output
        final float[] xb2;    // (rows, dim) projection output
        final float[] q;      // (rows, dim)
        final float[] k;      // (rows, kvDim)
        final float[] v;      // (rows, kvDim)
        final float[] hb;     // (rows, ffnDim) gate
        final float[] hb2;    // (rows, ffnDim) up
        final float[] logits; // (maxLogits, vocab)
        final float[][] qkvOut;
        final float[][] gateUpOut;
        final KvCache.Sequence[] rowKv;
        final int[] rowPos;
        final float[][] scratch; // per team member: one dequantized weight row
        final float[][] scores;  // per team member: one head's attention scores

        Workspace(LlamaConfig c, int maxRows, int maxLogits, Team team, Activations activations) {
            if (maxRows < 1 || maxLogits < 1) throw new IllegalArgumentException("a workspace needs rows and logits >= 1");
            this.activations = java.util.Objects.requireNonNull(activations, "activations");
            this.maxRows = maxRows;
            this.maxLogits = maxLogits;
            this.team = team;
            x = new float[maxRows * c.dim()];
            xb = new float[Math.max(maxRows, maxLogits) * c.dim()];
            xb2 = new float[maxRows * c.dim()];
            q = new float[maxRows * c.dim()];
            k = new float[maxRows * c.kvDim()];
            v = new float[maxRows * c.kvDim()];
            hb = new float[maxRows * c.ffnDim()];
            hb2 = new float[maxRows * c.ffnDim()];
            logits = new float[maxLogits * c.vocabularySize()];
            qkvOut = new float[][] {q, k, v};
            gateUpOut = new float[][] {hb, hb2};
            rowKv = new KvCache.Sequence[maxRows];
            rowPos = new int[maxRows];
            scratch = new float[team.size()][4 * Math.max(c.dim(), c.ffnDim())]; // four rows: Kernels.rows
            scores = new float[team.size()][c.contextLength()];
        }
    }
}
