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
 * against a plain double-precision product of those values.
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

            for (int s = 0; s < n; s++) {
                for (int r = 0; r < ROWS; r++) {
                    double dot = 0;
                    double scale = 0;
                    for (int i = 0; i < COLS; i++) {
                        dot += (double) expected[r * COLS + i] * x[s * COLS + i];
                        scale += Math.abs((double) expected[r * COLS + i] * x[s * COLS + i]);
                    }
                    assertThat((double) out[s * ROWS + r]).as("%s row %d seq %d", name, r, s).isCloseTo(dot, within(1e-5 * scale + 1e-6));
                    float viaQuantBlocks = QuantBlocks.dot(type, w.data(), (long) r * COLS, x, s * COLS, COLS);
                    assertThat((double) viaQuantBlocks).isCloseTo(dot, within(1e-5 * scale + 1e-6));
                }
            }
        }
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
