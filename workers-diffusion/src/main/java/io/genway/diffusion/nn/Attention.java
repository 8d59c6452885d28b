package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head scaled dot-product attention, {@code softmax(Q Kᵀ / √d) V} per head, over tokens in (batch, length,
 * heads · d) layout: head h of a row is its columns [h·d, (h+1)·d). Work is split over (batch, head, block of query
 * rows), so a 4096-token map never holds more than a block of scores per thread.
 */
public final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int QUERY_BLOCK = 128;

    private Attention() {}

    /** q: (batch, lq, width); k, v: (batch, lk, width) → (batch, lq, width). */
    public static Tokens forward(Tokens q, Tokens k, Tokens v, int heads) {
        int batch = q.batch();
        int width = q.dim();
        if (k.batch() != batch || v.batch() != batch || k.dim() != width || v.dim() != width
                || v.length() != k.length()) {
            throw new IllegalArgumentException("attention shapes disagree: q (" + batch + ", " + q.length() + ", "
                    + width + "), k (" + k.batch() + ", " + k.length() + ", " + k.dim() + ")");
        }
        if (width % heads != 0) throw new IllegalArgumentException(heads + " heads do not divide width " + width);
        int d = width / heads;
        int lq = q.length();
        int lk = k.length();
        float scale = (float) (1 / Math.sqrt(d));
        float[] out = new float[batch * lq * width];
        int blocks = (lq + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forEach(batch * heads * blocks, part -> {
            int n = part / (heads * blocks);
            int h = part / blocks % heads;
            int r0 = part % blocks * QUERY_BLOCK;
            int rows = Math.min(QUERY_BLOCK, lq - r0);
            // this head's keys as (d, lk), scaled, so scores come from a plain (rows, d) x (d, lk) product
            float[] keys = new float[d * lk];
            float[] kd = k.data();
            for (int j = 0; j < lk; j++) {
                int src = (n * lk + j) * width + h * d;
                for (int i = 0; i < d; i++) keys[i * lk + j] = kd[src + i] * scale;
            }
            float[] scores = new float[rows * lk];
            Gemm.multiply(rows, lk, d, q.data(), (n * lq + r0) * width + h * d, width, keys, 0, lk, scores, 0, lk,
                    false);
            for (int r = 0; r < rows; r++) softmaxRow(scores, r * lk, lk);
            Gemm.multiply(rows, d, lk, scores, 0, lk, v.data(), n * lk * width + h * d, width, out,
                    (n * lq + r0) * width + h * d, width, false);
        });
        return new Tokens(batch, lq, width, out);
    }

    /** In place, vectorised; {@link Exp} keeps every lane's bits independent of the JIT's state. */
    static void softmaxRow(float[] x, int start, int length) {
        int end = start + length;
        int vectorEnd = start + S.loopBound(length);
        FloatVector maxes = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = start; i < vectorEnd; i += S.length()) maxes = maxes.max(FloatVector.fromArray(S, x, i));
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (int i = vectorEnd; i < end; i++) max = Math.max(max, x[i]);
        FloatVector sums = FloatVector.zero(S);
        for (int i = start; i < vectorEnd; i += S.length()) {
            FloatVector e = Exp.exp(FloatVector.fromArray(S, x, i).sub(max));
            e.intoArray(x, i);
            sums = sums.add(e);
        }
        // lanes summed in a fixed order: reduceLanes' order differs between compiled and interpreted code
        double sum = 0;
        for (float lane : sums.toArray()) sum += lane;
        for (int i = vectorEnd; i < end; i++) {
            float e = Exp.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inverse = (float) (1 / sum);
        for (int i = start; i < vectorEnd; i += S.length()) FloatVector.fromArray(S, x, i).mul(inverse).intoArray(x, i);
        for (int i = vectorEnd; i < end; i++) x[i] *= inverse;
    }
}
