package io.genway.diffusion.nn;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 2-D convolution with square kernel, zero padding and a bias, as {@code torch.nn.Conv2d}: a GEMM of the
 * (out, in·k·k) weight, which is exactly the checkpoint's (out, in, k, k) layout, by the image unfolded (im2col) into
 * an (in·k·k, outH·outW) matrix.
 *
 * <p>The unfolded matrix is never written whole: each strip of {@link Gemm#STRIP} output pixels is unfolded a
 * k-block at a time straight into the GEMM kernel's packed panel layout, which stays in L1 while every row group of
 * the weight (packed once, at construction) passes over it. That saves writing and re-reading a matrix nine times
 * the input's size, and packing the weight on every call. A strip batch shares each weight block between a few
 * strips, so a wide layer's weights stream from memory once per batch rather than once per strip.
 *
 * <p>Each output element is {@code bias + Σ} over the same k-blocks in the same order however the work is split, so
 * an image gives the same bits alone and in a batch, on any thread count.
 */
public final class Conv2d {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int ROWS = Gemm.ROWS;
    private static final int STRIP = Gemm.STRIP;
    private static final int K_BLOCK = Gemm.K_BLOCK;
    /** Strips unfolded together, so each weight block loaded into L1 serves all of them. */
    private static final int STRIP_BATCH = 4;

    private final int outChannels;
    private final int inChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int depth;
    private final float[] packedWeight; // Gemm.packRows of the (out, in * k * k) weight
    private final float[] bias; // (out)

    public Conv2d(int outChannels, int inChannels, int kernel, int stride, int padding, float[] weight, float[] bias) {
        if (weight.length != outChannels * inChannels * kernel * kernel) {
            throw new IllegalArgumentException("conv weight has " + weight.length + " floats, not " + outChannels
                    + "x" + inChannels + "x" + kernel + "x" + kernel);
        }
        if (bias.length != outChannels) {
            throw new IllegalArgumentException("conv bias has " + bias.length + " floats, not " + outChannels);
        }
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.depth = inChannels * kernel * kernel;
        this.packedWeight = Gemm.packRows(weight, outChannels, depth);
        this.bias = bias.clone();
    }

    public int outChannels() {
        return outChannels;
    }

    public FeatureMap forward(FeatureMap x) {
        if (x.channels() != inChannels) {
            throw new IllegalArgumentException("conv expects " + inChannels + " channels, input is " + x.shape());
        }
        int outH = (x.height() + 2 * padding - kernel) / stride + 1;
        int outW = (x.width() + 2 * padding - kernel) / stride + 1;
        int cols = outH * outW;
        float[] out = new float[x.batch() * outChannels * cols];
        for (int n = 0; n < x.batch(); n++) {
            for (int o = 0; o < outChannels; o++) {
                int start = (n * outChannels + o) * cols;
                Arrays.fill(out, start, start + cols, bias[o]);
            }
        }
        Gemm.countMultiplyAdds((long) x.batch() * outChannels * cols * depth);
        float[] in = padded(x);
        int hp = x.height() + 2 * padding;
        int wp = x.width() + 2 * padding;
        // work units: (image, strip batch, row chunk); rows are split only when too few strips keep the pool busy
        int strips = (cols + STRIP - 1) / STRIP;
        int batches = (strips + STRIP_BATCH - 1) / STRIP_BATCH;
        int groups = (outChannels + ROWS - 1) / ROWS;
        int wanted = 2 * Parallel.threads();
        int chunks = Math.min(groups, Math.max(1, (wanted + x.batch() * batches - 1) / (x.batch() * batches)));
        if (Parallel.threads() == 1) chunks = 1;
        int units = x.batch() * batches * chunks;
        int rowChunks = chunks;
        int parts = Math.min(units, Parallel.threads() == 1 ? 1 : 4 * Parallel.threads());
        Parallel.forEach(parts, part -> {
            float[] panel = new float[STRIP_BATCH * K_BLOCK * STRIP];
            float[] tile = new float[ROWS * STRIP];
            int[] origins = new int[STRIP];
            for (int u = units * part / parts; u < units * (part + 1) / parts; u++) {
                int n = u / (batches * rowChunks);
                int b = u / rowChunks % batches;
                int chunk = u % rowChunks;
                int g0 = groups * chunk / rowChunks;
                int g1 = groups * (chunk + 1) / rowChunks;
                int s0 = b * STRIP_BATCH;
                int s1 = Math.min(strips, s0 + STRIP_BATCH);
                for (int k0 = 0; k0 < depth; k0 += K_BLOCK) {
                    int kc = Math.min(depth, k0 + K_BLOCK) - k0;
                    for (int s = s0; s < s1; s++) {
                        unfold(in, n, hp, wp, outW, cols, s * STRIP, k0, kc, panel, (s - s0) * kc * STRIP,
                                origins);
                    }
                    for (int g = g0; g < g1; g++) {
                        int ai = (g * depth + k0) * ROWS;
                        for (int s = s0; s < s1; s++) {
                            int p0 = s * STRIP;
                            int ci = (n * outChannels + g * ROWS) * cols + p0;
                            int pi = (s - s0) * kc * STRIP;
                            int rows = Math.min(ROWS, outChannels - g * ROWS);
                            int width = Math.min(STRIP, cols - p0);
                            if (rows == ROWS && width == STRIP) {
                                Gemm.tile4x2(kc, packedWeight, ai, panel, pi, out, ci, cols, true);
                            } else {
                                // a partial tile runs through a scratch copy: the kernel always writes 4 x STRIP
                                for (int r = 0; r < rows; r++) {
                                    System.arraycopy(out, ci + r * cols, tile, r * STRIP, width);
                                }
                                Gemm.tile4x2(kc, packedWeight, ai, panel, pi, tile, 0, STRIP, true);
                                for (int r = 0; r < rows; r++) {
                                    System.arraycopy(tile, r * STRIP, out, ci + r * cols, width);
                                }
                            }
                        }
                    }
                }
            }
        });
        return new FeatureMap(x.batch(), outChannels, outH, outW, out);
    }

    /** The input with its zero border made real, so that unfolding never tests a bound; the input itself at 0. */
    private float[] padded(FeatureMap x) {
        if (padding == 0) return x.data();
        int h = x.height();
        int w = x.width();
        int hp = h + 2 * padding;
        int wp = w + 2 * padding;
        float[] in = x.data();
        float[] out = new float[x.batch() * inChannels * hp * wp];
        for (int p = 0; p < x.batch() * inChannels; p++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(in, (p * h + y) * w, out, (p * hp + y + padding) * wp + padding, w);
            }
        }
        return out;
    }

    /**
     * Rows [k0, k0 + kc) of image n's unfolded matrix at output pixels [p0, p0 + STRIP), into {@code panel} from
     * {@code off} as (kc, STRIP); pixels past the map are zero. Row (c, ky, kx) holds padded input pixel
     * (c, oy·s + ky, ox·s + kx).
     */
    private void unfold(float[] in, int n, int hp, int wp, int outW, int cols, int p0, int k0, int kc,
            float[] panel, int off, int[] origins) {
        int image = n * inChannels * hp * wp;
        int width = Math.min(STRIP, cols - p0);
        int oy = p0 / outW;
        int ox = p0 % outW;
        // the fast cases: a whole strip at stride 1 within one output row, or anywhere for a plain 1x1 conv, so
        // each row of it is a contiguous run of the (padded) input
        boolean pointwise = kernel == 1 && stride == 1 && padding == 0 && width == STRIP;
        boolean oneRow = stride == 1 && width == STRIP && ox + STRIP <= outW;
        if (pointwise) {
            oy = 0;
            ox = p0;
        } else if (!oneRow) {
            for (int t = 0; t < width; t++) {
                int p = p0 + t;
                origins[t] = p / outW * stride * wp + p % outW * stride;
            }
        }
        int kk = kernel * kernel;
        int c = k0 / kk;
        int ky = k0 % kk / kernel;
        int kx = k0 % kernel;
        for (int k = 0; k < kc; k++) {
            int dst = off + k * STRIP;
            int base = image + c * hp * wp + ky * wp + kx;
            if (pointwise || oneRow) {
                int src = base + oy * wp + ox;
                FloatVector.fromArray(S, in, src).intoArray(panel, dst);
                FloatVector.fromArray(S, in, src + V).intoArray(panel, dst + V);
            } else {
                for (int t = 0; t < width; t++) panel[dst + t] = in[base + origins[t]];
                for (int t = width; t < STRIP; t++) panel[dst + t] = 0f;
            }
            if (++kx == kernel) {
                kx = 0;
                if (++ky == kernel) {
                    ky = 0;
                    c++;
                }
            }
        }
    }
}
