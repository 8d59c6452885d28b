package io.genway.diffusion.nn;

/**
 * A 2-D convolution with square kernel, zero padding and a bias, as {@code torch.nn.Conv2d}: each image is unfolded
 * (im2col) into a (in·k·k, outH·outW) matrix and multiplied by the (out, in·k·k) weight, which is exactly the
 * checkpoint's (out, in, k, k) layout. A 1x1 stride-1 conv multiplies the image itself.
 */
public final class Conv2d {
    private final int outChannels;
    private final int inChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final float[] weight; // (out, in * k * k)
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
        this.weight = weight;
        this.bias = bias;
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
        int depth = inChannels * kernel * kernel;
        boolean direct = kernel == 1 && stride == 1 && padding == 0;
        float[] out = new float[x.batch() * outChannels * cols];
        float[] unfolded = direct ? null : new float[depth * cols];
        for (int n = 0; n < x.batch(); n++) {
            int outOff = n * outChannels * cols;
            for (int o = 0; o < outChannels; o++) java.util.Arrays.fill(out, outOff + o * cols, outOff + (o + 1) * cols,
                    bias[o]);
            if (direct) {
                Gemm.multiplyParallel(outChannels, cols, depth, weight, 0, depth, x.data(), n * x.imageSize(), cols,
                        out, outOff, cols, true);
            } else {
                unfold(x, n, outH, outW, unfolded);
                Gemm.multiplyParallel(outChannels, cols, depth, weight, 0, depth, unfolded, 0, cols, out, outOff,
                        cols, true);
            }
        }
        return new FeatureMap(x.batch(), outChannels, outH, outW, out);
    }

    /** Row (c, ky, kx) of the unfolded image holds input pixel (c, oy·s + ky − p, ox·s + kx − p) per output. */
    private void unfold(FeatureMap x, int n, int outH, int outW, float[] unfolded) {
        int h = x.height();
        int w = x.width();
        float[] in = x.data();
        int cols = outH * outW;
        Parallel.forEach(Math.min(inChannels, Parallel.threads()), part -> {
            int c0 = inChannels * part / Math.min(inChannels, Parallel.threads());
            int c1 = inChannels * (part + 1) / Math.min(inChannels, Parallel.threads());
            for (int c = c0; c < c1; c++) {
                int plane = (n * inChannels + c) * h * w;
                for (int ky = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++) {
                        int row = ((c * kernel + ky) * kernel + kx) * cols;
                        for (int oy = 0; oy < outH; oy++) {
                            int iy = oy * stride + ky - padding;
                            int dst = row + oy * outW;
                            if (iy < 0 || iy >= h) {
                                java.util.Arrays.fill(unfolded, dst, dst + outW, 0f);
                                continue;
                            }
                            int src = plane + iy * w;
                            if (stride == 1) {
                                int shift = kx - padding;
                                int lo = Math.max(0, -shift);
                                int hi = Math.min(outW, w - shift);
                                for (int ox = 0; ox < lo; ox++) unfolded[dst + ox] = 0f;
                                if (hi > lo) System.arraycopy(in, src + lo + shift, unfolded, dst + lo, hi - lo);
                                for (int ox = Math.max(hi, lo); ox < outW; ox++) unfolded[dst + ox] = 0f;
                            } else {
                                for (int ox = 0; ox < outW; ox++) {
                                    int ix = ox * stride + kx - padding;
                                    unfolded[dst + ox] = ix < 0 || ix >= w ? 0f : in[src + ix];
                                }
                            }
                        }
                    }
                }
            }
        });
    }
}
