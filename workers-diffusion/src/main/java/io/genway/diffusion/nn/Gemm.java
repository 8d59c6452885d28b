package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix multiply {@code C (+)= A · B} on row-major, strided operands, vectorised with the Vector
 * API: every conv (through im2col), linear layer and attention product ends here.
 *
 * <p>The kernel keeps a 4-row × 2-vector tile of C in registers and walks k, broadcasting one A element per row and
 * loading one B row segment per vector. k is blocked so the B panel a tile reads (a block of k rows × 2 vectors)
 * stays in L1 while every row block of A passes over it.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int ROWS = 4;
    private static final int K_BLOCK = 256;
    /** Below this many multiply-adds a split costs more than it saves. */
    private static final long PARALLEL_WORK = 1 << 17;

    private Gemm() {}

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
        for (int k0 = 0; k0 < depth; k0 += K_BLOCK) {
            int k1 = Math.min(depth, k0 + K_BLOCK);
            boolean add = accumulate || k0 > 0;
            int j = 0;
            for (; j + 2 * V <= n; j += 2 * V) {
                int i = 0;
                for (; i + ROWS <= m; i += ROWS) {
                    tile4x2(k0, k1, a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, add);
                }
                for (; i < m; i++) tile1x2(k0, k1, a, aOff + i * lda, b, bOff + j, ldb, c, cOff + i * ldc + j, add);
            }
            for (; j + V <= n; j += V) {
                int i = 0;
                for (; i + ROWS <= m; i += ROWS) {
                    tile4x1(k0, k1, a, aOff + i * lda, lda, b, bOff + j, ldb, c, cOff + i * ldc + j, ldc, add);
                }
                for (; i < m; i++) tile1x1(k0, k1, a, aOff + i * lda, b, bOff + j, ldb, c, cOff + i * ldc + j, add);
            }
            for (; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    float sum = add ? c[cOff + i * ldc + j] : 0f;
                    int ai = aOff + i * lda;
                    for (int k = k0; k < k1; k++) sum += a[ai + k] * b[bOff + k * ldb + j];
                    c[cOff + i * ldc + j] = sum;
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

    /** Multiply-adds a {@code multiply} of this shape performs, for FLOP rates (2 FLOPs each). */
    public static long multiplyAdds(int m, int n, int depth) {
        return (long) m * n * depth;
    }

    private static void tile4x2(int k0, int k1, float[] a, int ai, int lda, float[] b, int bj, int ldb, float[] c,
            int ci, int ldc, boolean add) {
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
        for (int k = k0; k < k1; k++) {
            int bk = bj + k * ldb;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + V);
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

    private static void tile4x1(int k0, int k1, float[] a, int ai, int lda, float[] b, int bj, int ldb, float[] c,
            int ci, int ldc, boolean add) {
        FloatVector c0, c1, c2, c3;
        if (add) {
            c0 = FloatVector.fromArray(S, c, ci);
            c1 = FloatVector.fromArray(S, c, ci + ldc);
            c2 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c3 = FloatVector.fromArray(S, c, ci + 3 * ldc);
        } else {
            c0 = c1 = c2 = c3 = FloatVector.zero(S);
        }
        for (int k = k0; k < k1; k++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bj + k * ldb);
            c0 = b0.fma(FloatVector.broadcast(S, a[ai + k]), c0);
            c1 = b0.fma(FloatVector.broadcast(S, a[ai + lda + k]), c1);
            c2 = b0.fma(FloatVector.broadcast(S, a[ai + 2 * lda + k]), c2);
            c3 = b0.fma(FloatVector.broadcast(S, a[ai + 3 * lda + k]), c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
    }

    private static void tile1x2(int k0, int k1, float[] a, int ai, float[] b, int bj, int ldb, float[] c, int ci,
            boolean add) {
        FloatVector c0 = add ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        FloatVector c1 = add ? FloatVector.fromArray(S, c, ci + V) : FloatVector.zero(S);
        for (int k = k0; k < k1; k++) {
            FloatVector x = FloatVector.broadcast(S, a[ai + k]);
            c0 = FloatVector.fromArray(S, b, bj + k * ldb).fma(x, c0);
            c1 = FloatVector.fromArray(S, b, bj + k * ldb + V).fma(x, c1);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + V);
    }

    private static void tile1x1(int k0, int k1, float[] a, int ai, float[] b, int bj, int ldb, float[] c, int ci,
            boolean add) {
        FloatVector c0 = add ? FloatVector.fromArray(S, c, ci) : FloatVector.zero(S);
        for (int k = k0; k < k1; k++) {
            c0 = FloatVector.fromArray(S, b, bj + k * ldb).fma(FloatVector.broadcast(S, a[ai + k]), c0);
        }
        c0.intoArray(c, ci);
    }
}
