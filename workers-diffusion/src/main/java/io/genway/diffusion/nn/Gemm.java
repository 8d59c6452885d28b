package io.genway.diffusion.nn;

import java.util.concurrent.atomic.LongAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply {@code C (+)= A · B} on row-major, strided operands, vectorised with the Vector
 * API: every conv (through im2col), linear layer and attention product ends here.
 *
 * <p>The kernel keeps a 4-row × 2-vector tile of C in registers and walks k, broadcasting one A element per row and
 * loading one B row segment per vector (a 6-row tile measured half as fast: C2 spills its 12 accumulators on AVX2's
 * 16 registers). k is blocked; per block, A is packed in 4-row groups interleaved by k, and each (k × 2 vectors)
 * strip of B is packed contiguous, so it stays in L1 while every row group of A passes over it.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** The kernel's tile: {@code ROWS} rows of C by {@code STRIP} columns. */
    static final int ROWS = 4;
    static final int STRIP = 2 * V;
    static final int K_BLOCK = 256;
    /** Below this many multiply-adds a split costs more than it saves. */
    private static final long PARALLEL_WORK = 1 << 17;

    /** Multiply-adds performed so far, for benchmarks' FLOP counts (2 FLOPs each). */
    private static final LongAdder MULTIPLY_ADDS = new LongAdder();

    private Gemm() {}

    /** Multiply-adds every {@code multiply} so far has performed. */
    public static long multiplyAddsSoFar() {
        return MULTIPLY_ADDS.sum();
    }

    /**
     * {@code C[i][j] (+)= Σ_k A[i][k] B[k][j]} for i < m, j < n, k < depth, where X[r][s] is
     * {@code x[xOff + r * ldx + s]}; C is overwritten unless {@code accumulate}. Runs on the calling thread.
     */
    public static void multiply(int m, int n, int depth, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, boolean accumulate) {
        if (depth == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            }
            return;
        }
        MULTIPLY_ADDS.add((long) m * n * depth);
        float[] panel = new float[K_BLOCK * 2 * V];
        int fullRows = m / ROWS * ROWS;
        // packing A pays off only when several column strips reuse it
        boolean packRows = n > 2 * V;
        float[] rows = packRows ? new float[fullRows * Math.min(depth, K_BLOCK)] : a;
        for (int k0 = 0; k0 < depth; k0 += K_BLOCK) {
            int k1 = Math.min(depth, k0 + K_BLOCK);
            int kc = k1 - k0;
            boolean add = accumulate || k0 > 0;
            // A's rows in blocks of four, interleaved by k: the four values one k step broadcasts are adjacent
            for (int i = 0; packRows && i < fullRows; i += ROWS) {
                int base = i * kc;
                for (int r = 0; r < ROWS; r++) {
                    int src = aOff + (i + r) * lda + k0;
                    for (int k = 0; k < kc; k++) rows[base + k * ROWS + r] = a[src + k];
                }
            }
            int j = 0;
            for (; j + 2 * V <= n; j += 2 * V) {
                // B's (kc, 2V) strip packed contiguous: one cache line per k and no page stride between ks
                // (vector moves: an arraycopy call per 2V floats cost as much as the FMAs on a 32-row A)
                for (int k = 0, src = bOff + k0 * ldb + j; k < kc; k++, src += ldb) {
                    FloatVector.fromArray(S, b, src).intoArray(panel, k * 2 * V);
                    FloatVector.fromArray(S, b, src + V).intoArray(panel, k * 2 * V + V);
                }
                for (int i = 0; i < fullRows; i += ROWS) {
                    if (packRows) {
                        tile4x2(kc, rows, i * kc, panel, c, cOff + i * ldc + j, ldc, add);
                    } else {
                        tile4x2Rows(kc, a, aOff + i * lda + k0, lda, panel, c, cOff + i * ldc + j, ldc, add);
                    }
                }
                for (int i = fullRows; i < m; i++) {
                    tile1x2(kc, a, aOff + i * lda + k0, panel, c, cOff + i * ldc + j, add);
                }
            }
            if (n - j == V) {
                // a last strip exactly one vector wide (an 8-wide attention head, a 40-wide one's tail): eight rows
                // of A read in place against one vector of B, so no FMA is spent on padding
                for (int k = 0, src = bOff + k0 * ldb + j; k < kc; k++, src += ldb) {
                    FloatVector.fromArray(S, b, src).intoArray(panel, k * V);
                }
                int i = 0;
                for (; i + 8 <= m; i += 8) {
                    tile8x1Rows(kc, a, aOff + i * lda + k0, lda, panel, c, cOff + i * ldc + j, ldc, add);
                }
                for (; i < m; i++) tile1x1(kc, a, aOff + i * lda + k0, panel, c, cOff + i * ldc + j, add);
            } else if (j < n) {
                // the last, partial strip: zero-padded so it runs the same kernel, results copied back
                int width = n - j;
                java.util.Arrays.fill(panel, 0f);
                for (int k = 0; k < kc; k++) {
                    System.arraycopy(b, bOff + (k0 + k) * ldb + j, panel, k * 2 * V, width);
                }
                float[] tile = new float[ROWS * 2 * V];
                for (int i = 0; i < fullRows; i += ROWS) {
                    int ci = cOff + i * ldc + j;
                    for (int r = 0; r < ROWS; r++) {
                        if (add) System.arraycopy(c, ci + r * ldc, tile, r * 2 * V, width);
                    }
                    if (packRows) {
                        tile4x2(kc, rows, i * kc, panel, tile, 0, 2 * V, add);
                    } else {
                        tile4x2Rows(kc, a, aOff + i * lda + k0, lda, panel, tile, 0, 2 * V, add);
                    }
                    for (int r = 0; r < ROWS; r++) System.arraycopy(tile, r * 2 * V, c, ci + r * ldc, width);
                }
                for (int i = fullRows; i < m; i++) {
                    int ci = cOff + i * ldc + j;
                    if (add) System.arraycopy(c, ci, tile, 0, width);
                    tile1x2(kc, a, aOff + i * lda + k0, panel, tile, 0, add);
                    System.arraycopy(tile, 0, c, ci, width);
                }
            }
        }
    }

    /** {@link #multiply}, split over the pool: by columns when C is wide, else by rows. */
    public static void multiplyParallel(int m, int n, int depth, float[] a, int aOff, int lda, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * depth < PARALLEL_WORK) {
            multiply(m, n, depth, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        int parts = threads * 2;
        int colUnits = n / (2 * V);
        int rowUnits = m / ROWS;
        if (colUnits >= parts || colUnits >= rowUnits) {
            int units = Math.max(1, colUnits);
            int count = Math.min(parts, units);
            Parallel.forEach(count, p -> {
                int j0 = p == 0 ? 0 : units * p / count * 2 * V;
                int j1 = p == count - 1 ? n : units * (p + 1) / count * 2 * V;
                multiply(m, j1 - j0, depth, a, aOff, lda, b, bOff + j0, ldb, c, cOff + j0, ldc, accumulate);
            });
        } else {
            int units = Math.max(1, rowUnits);
            int count = Math.min(parts, units);
            Parallel.forEach(count, p -> {
                int i0 = p == 0 ? 0 : units * p / count * ROWS;
                int i1 = p == count - 1 ? m : units * (p + 1) / count * ROWS;
                multiply(i1 - i0, n, depth, a, aOff + i0 * lda, lda, b, bOff, ldb, c, cOff + i0 * ldc, ldc,
                        accumulate);
            });
        }
    }

    /**
     * A (m, depth) matrix packed for {@link #tile4x2} once, as a layer's weights can be: rows in groups of four
     * (the last zero-padded), each group interleaved by k, so group g's k-block [k0, k1) starts at
     * {@code (g · depth + k0) · 4}.
     */
    static float[] packRows(float[] a, int m, int depth) {
        float[] packed = new float[(m + ROWS - 1) / ROWS * ROWS * depth];
        for (int i = 0; i < m; i++) {
            int base = i / ROWS * ROWS * depth + i % ROWS;
            for (int k = 0; k < depth; k++) packed[base + k * ROWS] = a[i * depth + k];
        }
        return packed;
    }

    /** Counts multiply-adds done outside {@link #multiply} (the conv's own loop over packed tiles). */
    static void countMultiplyAdds(long count) {
        MULTIPLY_ADDS.add(count);
    }

    private static void tile4x2(int kc, float[] rows, int ai, float[] panel, float[] c, int ci, int ldc,
            boolean add) {
        tile4x2(kc, rows, ai, panel, 0, c, ci, ldc, add);
    }

    /** C[0..4)[0..2V) (+)= A · B over kc steps, A packed (kc, 4) and B packed (kc, 2V) from {@code pi}. */
    static void tile4x2(int kc, float[] rows, int ai, float[] panel, int pi, float[] c, int ci, int ldc,
            boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (add) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + V);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + V);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + V);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + V);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int p = pi + k * 2 * V;
            int q = ai + k * ROWS;
            FloatVector b0 = FloatVector.fromArray(S, panel, p);
            FloatVector b1 = FloatVector.fromArray(S, panel, p + V);
            FloatVector x = FloatVector.broadcast(S, rows[q]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, rows[q + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, rows[q + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, rows[q + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + V);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + V);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + V);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + V);
    }

    /**
     * {@link #tile4x2} reading A's four rows in place (stride {@code lda}) instead of packed. Kept apart from it on
     * purpose: one kernel taking both strides as arguments measured 20-30% slower on the 1024x1024x1152 product.
     */
    private static void tile4x2Rows(int kc, float[] a, int ai, int lda, float[] panel, float[] c, int ci, int ldc,
            boolean add) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (add) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + V);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + V);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + V);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + V);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        int a1 = ai + lda;
        int a2 = ai + 2 * lda;
        int a3 = ai + 3 * lda;
        for (int k = 0; k < kc; k++) {
            int p = k * 2 * V;
            FloatVector b0 = FloatVector.fromArray(S, panel, p);
            FloatVector b1 = FloatVector.fromArray(S, panel, p + V);
            FloatVector x = FloatVector.broadcast(S, a[ai + k]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + V);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + V);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + V);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + V);
    }

    /** C[0..8)[0..V) (+)= A · B over kc steps, A's eight rows in place (stride {@code lda}), B packed (kc, V). */
    private static void tile8x1Rows(int kc, float[] a, int ai, int lda, float[] panel, float[] c, int ci, int ldc,
            boolean add) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (add) {
            c0 = FloatVector.fromArray(S, c, ci);
            c1 = FloatVector.fromArray(S, c, ci + ldc);
            c2 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c3 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c4 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c5 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c6 = FloatVector.fromArray(S, c, ci + 6 * ldc);
            c7 = FloatVector.fromArray(S, c, ci + 7 * ldc);
        } else {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            FloatVector b0 = FloatVector.fromArray(S, panel, k * V);
            int q = ai + k;
            c0 = b0.fma(FloatVector.broadcast(S, a[q]), c0);
            c1 = b0.fma(FloatVector.broadcast(S, a[q + lda]), c1);
            c2 = b0.fma(FloatVector.broadcast(S, a[q + 2 * lda]), c2);
            c3 = b0.fma(FloatVector.broadcast(S, a[q + 3 * lda]), c3);
            c4 = b0.fma(FloatVector.broadcast(S, a[q + 4 * lda]), c4);
            c5 = b0.fma(FloatVector.broadcast(S, a[q + 5 * lda]), c5);
            c6 = b0.fma(FloatVector.broadcast(S, a[q + 6 * lda]), c6);
            c7 = b0.fma(FloatVector.broadcast(S, a[q + 7 * lda]), c7);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
    }

    private static void tile1x1(int kc, float[] a, int ai, float[] panel, float[] c, int ci, boolean add) {
        FloatVector c0 = add ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            c0 = FloatVector.fromArray(S, panel, k * V).fma(FloatVector.broadcast(S, a[ai + k]), c0);
        }
        c0.intoArray(c, ci);
    }

    private static void tile1x2(int kc, float[] a, int ai, float[] panel, float[] c, int ci, boolean add) {
        FloatVector c0 = add ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        FloatVector c1 = add ? FloatVector.fromArray(S, c, ci + V) : FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            FloatVector x = FloatVector.broadcast(S, a[ai + k]);
            c0 = FloatVector.fromArray(S, panel, k * 2 * V).fma(x, c0);
            c1 = FloatVector.fromArray(S, panel, k * 2 * V + V).fma(x, c1);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + V);
    }
}
