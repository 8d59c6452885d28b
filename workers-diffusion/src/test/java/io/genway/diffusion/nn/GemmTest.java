package io.genway.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The vectorised, packed, split GEMM against the textbook triple loop, on shapes that hit every tail. */
class GemmTest {

    private static float[] values(int count, double phase) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) Math.sin(0.37 * i + phase);
        return out;
    }

    private static void check(int m, int n, int depth, int pad, boolean accumulate, boolean parallel) {
        int lda = depth + pad;
        int ldb = n + pad;
        int ldc = n + pad;
        float[] a = values(3 + m * lda, 0.1);
        float[] b = values(5 + depth * ldb, 0.2);
        float[] c = values(7 + m * ldc, 0.3);
        float[] expected = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? expected[7 + i * ldc + j] : 0;
                for (int k = 0; k < depth; k++) sum += (double) a[3 + i * lda + k] * b[5 + k * ldb + j];
                expected[7 + i * ldc + j] = (float) sum;
            }
        }
        if (parallel) {
            Gemm.multiplyParallel(m, n, depth, a, 3, lda, b, 5, ldb, c, 7, ldc, accumulate);
        } else {
            Gemm.multiply(m, n, depth, a, 3, lda, b, 5, ldb, c, 7, ldc, accumulate);
        }
        for (int i = 0; i < c.length; i++) {
            assertThat(c[i]).as("c[%d] of %dx%dx%d", i, m, n, depth).isCloseTo(expected[i], within(2e-4f));
        }
    }

    @Test
    void multipliesShapesWithRowColumnAndDepthTails() {
        check(7, 37, 300, 0, false, false);
        check(1, 5, 3, 2, false, false);
        check(13, 16, 513, 3, true, false);
    }

    @Test
    void multipliesStripsOneVectorWide() {
        // 8 and 40 columns leave a one-vector strip on AVX2 (and 16 + 8 on wider vectors); 19 rows: 8 + 8 + 3
        check(19, 8, 300, 1, true, false);
        check(19, 40, 300, 0, false, false);
        check(19, 16, 7, 2, false, false);
    }

    @Test
    void multipliesMoreRowsThanOneRowBlock() {
        check(300, 37, 300, 1, true, false);
        check(259, 40, 20, 0, false, false);
    }

    @Test
    void splitsOverThreadsWithTheSameResult() {
        check(64, 300, 200, 1, false, true);
        check(330, 24, 260, 0, true, true);
    }
}
