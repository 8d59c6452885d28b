package io.genway.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** im2col + GEMM convolution against the definition of a zero-padded cross-correlation. */
class Conv2dTest {

    private static float[] values(int count, double phase) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) Math.sin(0.13 * i + phase);
        return out;
    }

    private static void check(int stride, int kernel, int padding) {
        check(stride, kernel, padding, 5, 6, 9, 7);
    }

    private static void check(int stride, int kernel, int padding, int in, int out, int h, int w) {
        FeatureMap x = new FeatureMap(2, in, h, w, values(2 * in * h * w, 0));
        float[] weight = values(out * in * kernel * kernel, 1);
        float[] bias = values(out, 2);
        FeatureMap y = new Conv2d(out, in, kernel, stride, padding, weight, bias).forward(x);
        int outH = (h + 2 * padding - kernel) / stride + 1;
        int outW = (w + 2 * padding - kernel) / stride + 1;
        assertThat(y.shape()).isEqualTo("(2, " + out + ", " + outH + ", " + outW + ")");
        for (int n = 0; n < 2; n++) {
            for (int o = 0; o < out; o++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        double sum = bias[o];
                        for (int c = 0; c < in; c++) {
                            for (int ky = 0; ky < kernel; ky++) {
                                for (int kx = 0; kx < kernel; kx++) {
                                    int iy = oy * stride + ky - padding;
                                    int ix = ox * stride + kx - padding;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    sum += weight[((o * in + c) * kernel + ky) * kernel + kx] * x.get(n, c, iy, ix);
                                }
                            }
                        }
                        assertThat(y.get(n, o, oy, ox)).isCloseTo((float) sum, within(1e-4f));
                    }
                }
            }
        }
    }

    @Test
    void convolvesThreeByThreeWithPaddingOne() {
        check(1, 3, 1);
    }

    @Test
    void downsamplesWithStrideTwo() {
        check(2, 3, 1);
    }

    @Test
    void multipliesPointwiseForOneByOne() {
        check(1, 1, 0);
    }

    @Test
    void convolvesRowsWiderThanAStripOverMoreThanOneDepthBlock() {
        // 40 channels x 9 taps: two k-blocks; 35 columns: whole strips with both edges, then a partial one
        check(1, 3, 1, 40, 9, 5, 35);
    }

    @Test
    void multipliesPointwiseAcrossRowBoundaries() {
        check(1, 1, 0, 300, 5, 6, 6);
    }
}
