package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.QuantBlocks;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Q4_K and Q6_K against llama.cpp's own Python package: the fixtures in {@code kquants/} hold random blocks and
 * the values gguf-py dequantizes them to ({@code make_fixtures.py} beside them made both); the products are checked
 * against a plain double-precision product of those values (with the activations rounded to 8 bits as the
 * kernels round them).
 */
class KQuantsTest {
    private static final int ROWS = 4;
    private static final int COLS = 512;

    @Test
    void q4KDequantizesAsLlamaCppDoes() throws IOException {
        dequantizesAsGgufPy(GgmlType.Q4_K, "q4_k");
    }

    @Test
    void q6KDequantizesAsLlamaCppDoes() throws IOException {
        dequantizesAsGgufPy(GgmlType.Q6_K, "q6_k");
    }

    @Test
    void q4KAndQ6KBatchedProductsMatchAnF32ProductOfTheReferenceValues() throws IOException {
        for (String name : new String[] {"q4_k", "q6_k"}) {
            GgmlType type = name.equals("q4_k") ? GgmlType.Q4_K : GgmlType.Q6_K;
            Matrix w = new Matrix(name, type, MemorySegment.ofArray(resource(name + ".bin")), ROWS, COLS);
            float[] expected = floats(resource(name + ".f32"));
            int n = 5;
            float[] x = new float[n * COLS];
            SplittableRandom random = new SplittableRandom(4);
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            float[] out = new float[n * ROWS];

            Kernels.matmul(Team.SHARED, w, x, n, out, new float[Team.SHARED.size()][4 * COLS]);

            float[] x8 = Kernels.Q8.of(x, n, COLS).toFloats(); // the kernels take the activations rounded to 8 bits
            for (int s = 0; s < n; s++) {
                for (int r = 0; r < ROWS; r++) {
                    double dot = 0;
                    double dot8 = 0;
                    double scale = 0;
                    for (int i = 0; i < COLS; i++) {
                        dot += (double) expected[r * COLS + i] * x[s * COLS + i];
                        dot8 += (double) expected[r * COLS + i] * x8[s * COLS + i];
                        scale += Math.abs((double) expected[r * COLS + i] * x[s * COLS + i]);
                    }
                    assertThat((double) out[s * ROWS + r]).as("%s row %d seq %d", name, r, s).isCloseTo(dot8, within(1e-5 * scale + 1e-6));
                    float viaQuantBlocks = QuantBlocks.dot(type, w.data(), (long) r * COLS, x, s * COLS, COLS);
                    assertThat((double) viaQuantBlocks).isCloseTo(dot, within(1e-5 * scale + 1e-6));
                }
            }
        }
    }

    /**
     * The writer's K-quant quantizers, decoded by the dequantizer checked above: Gaussian rows (a trained model's
     * weights are near Gaussian) come back within the error llama.cpp's reference quantizer gets on the same values:
     * its relative RMS error (RMS of the error over RMS of the values), measured with llama.cpp's llama-quantize
     * --pure on an F32 GGUF of these values and gguf-py's dequantize ({@code kquants/llama_cpp_error.py}), was
     * {@link #LLAMA_CPP_Q4_K} and {@link #LLAMA_CPP_Q6_K}.
     */
    @Test
    void kQuantQuantizersRoundTripWithinLlamaCppsReferenceError() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            float[] x = gaussianRows();
            float[] back = new float[x.length];
            QuantBlocks.dequantize(type, MemorySegment.ofArray(QuantBlocks.quantize(type, x)), 0, back, 0, back.length);
            double err = 0;
            double norm = 0;
            for (int i = 0; i < x.length; i++) {
                err += (back[i] - x[i]) * (double) (back[i] - x[i]);
                norm += x[i] * (double) x[i];
            }
            double relative = Math.sqrt(err / norm);
            double llamaCpp = type == GgmlType.Q4_K ? LLAMA_CPP_Q4_K : LLAMA_CPP_Q6_K;
            System.out.printf("%s: relative RMS error %.5f (llama.cpp's reference quantizer: %.5f)%n", type, relative, llamaCpp);
            assertThat(relative).as("%s relative RMS error", type).isLessThanOrEqualTo(llamaCpp);
        }
    }

    @Test
    void kQuantQuantizersKeepZerosExactAndConstantsClose() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            float[] x = new float[512];
            java.util.Arrays.fill(x, 256, 512, -0.5f);
            float[] back = new float[x.length];
            QuantBlocks.dequantize(type, MemorySegment.ofArray(QuantBlocks.quantize(type, x)), 0, back, 0, back.length);
            for (int i = 0; i < 256; i++) assertThat(back[i]).as("%s element %d", type, i).isZero();
            for (int i = 256; i < 512; i++) assertThat(back[i]).as("%s element %d", type, i).isCloseTo(-0.5f, within(1e-3f));
        }
    }

    static final double LLAMA_CPP_Q4_K = 0.071327;
    static final double LLAMA_CPP_Q6_K = 0.017736;

    /** 1024 rows of 1024 standard Gaussian values, seed 12: the values measured with llama.cpp. */
    static float[] gaussianRows() {
        SplittableRandom random = new SplittableRandom(12);
        float[] x = new float[1024 * 1024];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    private static void dequantizesAsGgufPy(GgmlType type, String name) throws IOException {
        byte[] blocks = resource(name + ".bin");
        float[] expected = floats(resource(name + ".f32"));
        float[] actual = new float[expected.length];

        QuantBlocks.dequantize(type, MemorySegment.ofArray(blocks), 0, actual, 0, actual.length);

        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("%s element %d", name, i).isCloseTo(expected[i], within(1e-6f * Math.max(1f, Math.abs(expected[i]))));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = KQuantsTest.class.getResourceAsStream("/kquants/" + name)) {
            assertThat(in).as("test resource kquants/" + name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static float[] floats(byte[] bytes) {
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
