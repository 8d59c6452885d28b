package io.genway.diffusion.nn;

/**
 * A batch of token sequences, {@code (batch, length, dim)} row-major: the layout attention and the transformer
 * blocks work in, and the text encoder's hidden states arrive in.
 */
public record Tokens(int batch, int length, int dim, float[] data) {

    public Tokens {
        if (batch < 1 || length < 1 || dim < 1) {
            throw new IllegalArgumentException("shape must be positive, was (" + batch + ", " + length + ", " + dim
                    + ")");
        }
        if (data.length != (long) batch * length * dim) {
            throw new IllegalArgumentException("data has " + data.length + " floats but shape (" + batch + ", "
                    + length + ", " + dim + ") needs " + (long) batch * length * dim);
        }
    }

    public int rows() {
        return batch * length;
    }

    /** A feature map's pixels as tokens: (n, c, h, w) → (n, h·w, c). */
    public static Tokens fromFeatureMap(FeatureMap x) {
        int plane = x.plane();
        int channels = x.channels();
        float[] out = new float[x.data().length];
        float[] in = x.data();
        for (int n = 0; n < x.batch(); n++) {
            int base = n * plane * channels;
            for (int c = 0; c < channels; c++) {
                int src = base + c * plane;
                for (int p = 0; p < plane; p++) out[base + p * channels + c] = in[src + p];
            }
        }
        return new Tokens(x.batch(), plane, channels, out);
    }

    /** The inverse of {@link #fromFeatureMap}: (n, h·w, c) → (n, c, h, w). */
    public FeatureMap toFeatureMap(int height, int width) {
        if (height * width != length) {
            throw new IllegalArgumentException(length + " tokens are not a " + height + "x" + width + " map");
        }
        float[] out = new float[data.length];
        for (int n = 0; n < batch; n++) {
            int base = n * length * dim;
            for (int p = 0; p < length; p++) {
                int src = base + p * dim;
                for (int c = 0; c < dim; c++) out[base + c * length + p] = data[src + c];
            }
        }
        return new FeatureMap(batch, dim, height, width, out);
    }

    public Tokens plus(Tokens other) {
        if (other.batch != batch || other.length != length || other.dim != dim) {
            throw new IllegalArgumentException("token shapes differ");
        }
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) out[i] = data[i] + other.data[i];
        return new Tokens(batch, length, dim, out);
    }
}
