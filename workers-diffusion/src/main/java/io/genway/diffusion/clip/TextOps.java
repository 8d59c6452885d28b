package io.genway.diffusion.clip;

import java.util.stream.IntStream;

/**
 * The float kernels of the text encoder, on row-major arrays. The encoder runs once per prompt, not once per
 * denoising step, so these stay plain loops (rows split across cores) rather than the UNet's tuned kernels.
 */
final class TextOps {
    private TextOps() {}

    /**
     * {@code out = x W^T + b}: x (rows, in), W (out, in) as PyTorch's Linear stores it, b (out). The loop runs over
     * weight rows outermost, so each weight row is read from memory once and reused from cache for every token:
     * the weights, not the 77 tokens, are what is large.
     */
    static float[] linear(float[] x, int rows, int in, float[] weight, float[] bias, int out) {
        float[] y = new float[rows * out];
        int block = 16;
        IntStream.range(0, (out + block - 1) / block).parallel().forEach(b -> {
            int end = Math.min(out, (b + 1) * block);
            for (int o = b * block; o < end; o++) {
                int wo = o * in;
                for (int r = 0; r < rows; r++) {
                    int xo = r * in;
                    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    int i = 0;
                    for (; i + 3 < in; i += 4) {
                        s0 += x[xo + i] * weight[wo + i];
                        s1 += x[xo + i + 1] * weight[wo + i + 1];
                        s2 += x[xo + i + 2] * weight[wo + i + 2];
                        s3 += x[xo + i + 3] * weight[wo + i + 3];
                    }
                    for (; i < in; i++) s0 += x[xo + i] * weight[wo + i];
                    y[r * out + o] = (s0 + s1) + (s2 + s3) + bias[o];
                }
            }
        });
        return y;
    }

    /** LayerNorm over the last dimension: (x - mean) / sqrt(var + eps) * gamma + beta, with biased variance. */
    static float[] layerNorm(float[] x, int rows, int dim, float[] gamma, float[] beta, double eps) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[o + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            double inv = 1 / Math.sqrt(var / dim + eps);
            for (int i = 0; i < dim; i++) y[o + i] = (float) ((x[o + i] - mean) * inv * gamma[i] + beta[i]);
        }
        return y;
    }

    /**
     * Causal multi-head attention for one sequence: q, k, v (tokens, heads * headDim); token t attends to tokens
     * 0..t. Returns (tokens, heads * headDim).
     */
    static float[] causalAttention(float[] q, float[] k, float[] v, int tokens, int heads, int headDim) {
        int dim = heads * headDim;
        float[] out = new float[tokens * dim];
        double scale = 1 / Math.sqrt(headDim);
        IntStream.range(0, heads).parallel().forEach(h -> {
            double[] scores = new double[tokens];
            int ho = h * headDim;
            for (int t = 0; t < tokens; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < headDim; i++) dot += q[t * dim + ho + i] * k[s * dim + ho + i];
                    scores[s] = dot * scale;
                    max = Math.max(max, scores[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    sum += scores[s];
                }
                for (int i = 0; i < headDim; i++) {
                    double acc = 0;
                    for (int s = 0; s <= t; s++) acc += scores[s] * v[s * dim + ho + i];
                    out[t * dim + ho + i] = (float) (acc / sum);
                }
            }
        });
        return out;
    }

    /** {@code x * sigmoid(1.702 x)}, in place: CLIP's original activation (SD 1.x). */
    static void quickGelu(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = (float) (x[i] / (1 + Math.exp(-1.702 * x[i])));
    }

    /** {@code x/2 (1 + erf(x / sqrt 2))}, in place: the exact GELU (SD 2.x's OpenCLIP encoder). */
    static void gelu(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2))));
    }

    static void addInPlace(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    /**
     * erf to about 1e-15 relative: its Maclaurin series for |x| < 3, else the continued fraction of erfc. float32
     * activations need far less; the point is that the error never shows next to PyTorch's.
     */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            // erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double term = a;
            double sum = a;
            double a2 = a * a;
            for (int n = 1; n < 200; n++) {
                term *= -a2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc a = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + 2/(a + ...)))))
            double f = a;
            for (int n = 60; n >= 1; n--) f = a + (n / 2.0) / f;
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
