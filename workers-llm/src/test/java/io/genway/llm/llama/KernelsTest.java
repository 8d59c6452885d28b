package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.QuantBlocks;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {
    private static final int ROWS = 103; // odd sizes, so that items split unevenly
    private static final int COLS = 96 * 2 + 32; // a whole number of quant blocks, not of 16 floats

    @Test
    void eachTypesBatchedProductMatchesAPlainF32ProductOfItsDequantizedWeights() {
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            Matrix w = matrix(type, 5);
            float[] dense = w.toFloats();
            int n = 6;
            float[] x = gaussian(n * COLS, 6);
            float[] out = new float[n * ROWS];

            Kernels.matmul(Team.SHARED, w, x, n, out, scratch());

            for (int s = 0; s < n; s++) {
                for (int r = 0; r < ROWS; r++) {
                    double expected = 0;
                    for (int i = 0; i < COLS; i++) expected += (double) dense[r * COLS + i] * x[s * COLS + i];
                    assertThat((double) out[s * ROWS + r]).as("%s row %d seq %d", type, r, s).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void aSequencesResultsAreBitIdenticalAloneInABatchAndSplitOverThreads() {
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0}) {
            Matrix w = matrix(type, 7);
            int n = 7; // four in one tile, three alone
            float[] x = gaussian(n * COLS, 8);
            float[] batched = new float[n * ROWS];
            Kernels.matmul(Team.SHARED, w, x, n, batched, scratch());

            for (int s = 0; s < n; s++) {
                float[] alone = new float[ROWS];
                float[] one = java.util.Arrays.copyOfRange(x, s * COLS, (s + 1) * COLS);
                Kernels.rows(w, 0, ROWS, one, 1, alone, new float[4 * COLS]); // sequential, one thread
                assertThat(java.util.Arrays.copyOfRange(batched, s * ROWS, (s + 1) * ROWS)).as("%s seq %d", type, s).containsExactly(alone);
            }
        }
    }

    private static float[][] scratch() {
        return new float[Team.SHARED.size()][4 * COLS];
    }

    private static Matrix matrix(GgmlType type, long seed) {
        byte[] bytes = QuantBlocks.quantize(type, gaussian(ROWS * COLS, seed));
        return new Matrix("w", type, MemorySegment.ofArray(bytes), ROWS, COLS);
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }
}
