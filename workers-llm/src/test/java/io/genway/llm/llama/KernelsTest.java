package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.QuantBlocks;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KernelsTest {
    private static final int ROWS = 103; // odd sizes, so that items split unevenly
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};

    /** A whole number of blocks, not of 16 floats (K-quants: of 256). */
    private static int cols(GgmlType type) {
        return type.blockSize() == 256 ? 3 * 256 : 96 * 2 + 32;
    }

    @Test
    void eachTypesBatchedProductMatchesAPlainProductOfItsDequantizedWeights() {
        for (GgmlType type : TYPES) {
            int cols = cols(type);
            Matrix w = matrix(type, cols, 5);
            float[] dense = w.toFloats(); // QuantBlocks' dequantizer, checked against gguf-py in KQuantsTest
            int n = 6;
            float[] x = gaussian(n * cols, 6);
            // the integer path computes with the activations rounded to 8 bits: the exact reference takes them rounded
            float[] xr = Kernels.isInteger(type) ? Kernels.Q8.of(x, n, cols).toFloats() : x;
            float[] out = new float[n * ROWS];

            Kernels.matmul(Team.SHARED, w, x, n, out, scratch(cols));

            for (int s = 0; s < n; s++) {
                for (int r = 0; r < ROWS; r++) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int i = 0; i < cols; i++) {
                        expected += (double) dense[r * cols + i] * xr[s * cols + i];
                        magnitude += Math.abs((double) dense[r * cols + i] * xr[s * cols + i]);
                    }
                    assertThat((double) out[s * ROWS + r]).as("%s row %d seq %d", type, r, s).isCloseTo(expected, within(1e-5 * magnitude + 1e-6));
                }
            }
        }
    }

    @Test
    void eightBitActivationsMoveTheProductsByAboutHalfAPercent() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K}) {
            int cols = cols(type);
            Matrix w = matrix(type, cols, 9);
            float[] dense = w.toFloats();
            int n = 4;
            float[] x = gaussian(n * cols, 10);
            float[] out = new float[n * ROWS];
            Kernels.matmul(Team.SHARED, w, x, n, out, scratch(cols));

            double err = 0;
            double norm = 0;
            for (int s = 0; s < n; s++) {
                for (int r = 0; r < ROWS; r++) {
                    double exact = 0;
                    for (int i = 0; i < cols; i++) exact += (double) dense[r * cols + i] * x[s * cols + i];
                    err += (out[s * ROWS + r] - exact) * (out[s * ROWS + r] - exact);
                    norm += exact * exact;
                }
            }
            double relativeRms = Math.sqrt(err / norm);
            System.out.printf("%s: 8-bit activations, relative RMS difference from F32 activations %.5f%n", type, relativeRms);
            // rounding to steps of 1/127 of each block's largest magnitude: an error of RMS (amax / 127) / sqrt(12)
            // per element, about 0.5% of a Gaussian element's RMS (amax is about 2.2 sigma for 32 samples)
            assertThat(relativeRms).as("%s", type).isLessThan(0.008);
        }
    }

    @Test
    void activationBlocksRoundToEightBitsOfTheirLargestMagnitude() {
        int cols = 64;
        float[] x = gaussian(2 * cols, 11);
        x[5] = 0f;
        Arrays.fill(x, cols, cols + 32, 0f); // an all-zero block
        Kernels.Q8 q = Kernels.Q8.of(x, 2, cols);
        float[] back = q.toFloats();
        for (int b = 0; b < 4; b++) {
            float amax = 0f;
            int sum = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + i]));
                sum += q.q()[b * 32 + i];
            }
            assertThat(q.d()[b]).isEqualTo(amax / 127f);
            assertThat(q.sum()[b]).isEqualTo(q.d()[b] * sum);
            for (int i = 0; i < 32; i++) {
                assertThat(Math.abs(q.q()[b * 32 + i])).isLessThanOrEqualTo(127);
                assertThat(back[b * 32 + i]).as("block %d element %d", b, i).isCloseTo(x[b * 32 + i], within(q.d()[b] * 0.5f * 1.0001f));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Activations.class)
    void aSequencesResultsAreBitIdenticalAloneInABatchAndSplitOverThreads(Activations activations) {
        for (GgmlType type : TYPES) {
            int cols = cols(type);
            Matrix w = matrix(type, cols, 7);
            int n = 7; // four in one tile, three alone
            float[] x = gaussian(n * cols, 8);
            float[] batched = new float[n * ROWS];
            Kernels.matmul(Team.SHARED, w, x, n, batched, scratch(cols), activations);

            for (int s = 0; s < n; s++) {
                float[] alone = new float[ROWS];
                float[] one = Arrays.copyOfRange(x, s * cols, (s + 1) * cols);
                Kernels.matmul(new Team(1), w, one, 1, alone, new float[1][4 * cols], activations); // one thread
                assertThat(Arrays.copyOfRange(batched, s * ROWS, (s + 1) * ROWS)).as("%s seq %d", type, s).containsExactly(alone);
            }
        }
    }

    private static float[][] scratch(int cols) {
        return new float[Team.SHARED.size()][4 * cols];
    }

    private static Matrix matrix(GgmlType type, int cols, long seed) {
        byte[] bytes = QuantBlocks.quantize(type, gaussian(ROWS * cols, seed));
        return new Matrix("w", type, MemorySegment.ofArray(bytes), ROWS, cols);
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }
}
