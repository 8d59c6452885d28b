package io.genway.diffusion.nn;

import java.util.Arrays;

/**
 * A batch of feature maps in NCHW order, row-major floats: element (n, c, y, x) is at
 * {@code ((n * channels + c) * height + y) * width + x}. The array is owned by whoever made the map; ops return new
 * maps and never write into their inputs.
 */
public record FeatureMap(int batch, int channels, int height, int width, float[] data) {

    public FeatureMap {
        if (batch < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape must be positive, was " + shape(batch, channels, height, width));
        }
        if (data.length != (long) batch * channels * height * width) {
            throw new IllegalArgumentException("data has " + data.length + " floats but shape "
                    + shape(batch, channels, height, width) + " needs " + (long) batch * channels * height * width);
        }
    }

    public static FeatureMap zeros(int batch, int channels, int height, int width) {
        return new FeatureMap(batch, channels, height, width, new float[batch * channels * height * width]);
    }

    public int plane() {
        return height * width;
    }

    /** Floats per batch element. */
    public int imageSize() {
        return channels * height * width;
    }

    public float get(int n, int c, int y, int x) {
        return data[((n * channels + c) * height + y) * width + x];
    }

    public String shape() {
        return shape(batch, channels, height, width);
    }

    /** {@code this + other}, elementwise; the shapes must match. */
    public FeatureMap plus(FeatureMap other) {
        requireSameShape(other);
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) out[i] = data[i] + other.data[i];
        return new FeatureMap(batch, channels, height, width, out);
    }

    /** {@code (this + other) / divisor}, as diffusers' residual blocks with an output scale factor. */
    public FeatureMap plusScaled(FeatureMap other, float divisor) {
        if (divisor == 1f) return plus(other);
        requireSameShape(other);
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) out[i] = (data[i] + other.data[i]) / divisor;
        return new FeatureMap(batch, channels, height, width, out);
    }

    /** Channel-wise concatenation {@code [this, other]} (torch.cat on dim 1). */
    public FeatureMap concatChannels(FeatureMap other) {
        if (other.batch != batch || other.height != height || other.width != width) {
            throw new IllegalArgumentException("cannot concatenate " + shape() + " and " + other.shape());
        }
        int channelsOut = channels + other.channels;
        float[] out = new float[batch * channelsOut * plane()];
        for (int n = 0; n < batch; n++) {
            System.arraycopy(data, n * imageSize(), out, n * channelsOut * plane(), imageSize());
            System.arraycopy(other.data, n * other.imageSize(), out, n * channelsOut * plane() + imageSize(),
                    other.imageSize());
        }
        return new FeatureMap(batch, channelsOut, height, width, out);
    }

    /** Nearest-neighbour 2x upsampling (F.interpolate with scale_factor 2, mode "nearest"). */
    public FeatureMap upsampleNearest2x() {
        int h2 = height * 2;
        int w2 = width * 2;
        float[] out = new float[batch * channels * h2 * w2];
        for (int p = 0; p < batch * channels; p++) {
            for (int y = 0; y < h2; y++) {
                int src = (p * height + y / 2) * width;
                int dst = (p * h2 + y) * w2;
                for (int x = 0; x < w2; x++) out[dst + x] = data[src + x / 2];
            }
        }
        return new FeatureMap(batch, channels, h2, w2, out);
    }

    /** Adds {@code perChannel[n * channels + c]} to every element of plane (n, c), in place on a fresh copy. */
    public FeatureMap plusPerChannel(float[] perChannel) {
        if (perChannel.length != batch * channels) {
            throw new IllegalArgumentException("need " + batch * channels + " per-channel values, got "
                    + perChannel.length);
        }
        float[] out = new float[data.length];
        int plane = plane();
        for (int p = 0; p < batch * channels; p++) {
            float add = perChannel[p];
            for (int i = p * plane; i < (p + 1) * plane; i++) out[i] = data[i] + add;
        }
        return new FeatureMap(batch, channels, height, width, out);
    }

    /** Batch element {@code n} alone, copied. */
    public FeatureMap image(int n) {
        return new FeatureMap(1, channels, height, width,
                Arrays.copyOfRange(data, n * imageSize(), (n + 1) * imageSize()));
    }

    private void requireSameShape(FeatureMap other) {
        if (other.batch != batch || other.channels != channels || other.height != height || other.width != width) {
            throw new IllegalArgumentException("shapes differ: " + shape() + " and " + other.shape());
        }
    }

    private static String shape(int n, int c, int h, int w) {
        return "(" + n + ", " + c + ", " + h + ", " + w + ")";
    }
}
