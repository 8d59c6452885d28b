package io.genway.diffusion.nn;

/**
 * Normalisation ops, with statistics accumulated in double so that long planes (64x64 latents × 40 channels per
 * group) lose nothing to float rounding.
 */
public final class Norms {
    private Norms() {}

    /** {@code torch.nn.GroupNorm} with affine scale and shift. */
    public record GroupNorm(int groups, double eps, float[] weight, float[] bias) {
        public GroupNorm {
            if (weight.length != bias.length || weight.length % groups != 0) {
                throw new IllegalArgumentException("group norm of " + weight.length + " channels cannot have "
                        + groups + " groups");
            }
        }

        /** Normalises x, then applies SiLU too when {@code silu} (the common norm → activation pair). */
        public FeatureMap forward(FeatureMap x, boolean silu) {
            if (x.channels() != weight.length) {
                throw new IllegalArgumentException("group norm expects " + weight.length + " channels, input is "
                        + x.shape());
            }
            int perGroup = x.channels() / groups;
            int plane = x.plane();
            float[] in = x.data();
            float[] out = new float[in.length];
            Parallel.forEach(x.batch() * groups, part -> {
                int n = part / groups;
                int g = part % groups;
                int start = (n * x.channels() + g * perGroup) * plane;
                int end = start + perGroup * plane;
                double sum = 0;
                for (int i = start; i < end; i++) sum += in[i];
                double mean = sum / (end - start);
                double squares = 0;
                for (int i = start; i < end; i++) {
                    double d = in[i] - mean;
                    squares += d * d;
                }
                double rstd = 1 / Math.sqrt(squares / (end - start) + eps);
                for (int c = g * perGroup; c < (g + 1) * perGroup; c++) {
                    float scale = (float) (weight[c] * rstd);
                    float shift = (float) (bias[c] - mean * weight[c] * rstd);
                    int p0 = (n * x.channels() + c) * plane;
                    for (int i = p0; i < p0 + plane; i++) {
                        float v = in[i] * scale + shift;
                        out[i] = silu ? Activations.silu(v) : v;
                    }
                }
            });
            return new FeatureMap(x.batch(), x.channels(), x.height(), x.width(), out);
        }
    }

    /** {@code torch.nn.LayerNorm} over the last dimension, with affine scale and shift. */
    public record LayerNorm(double eps, float[] weight, float[] bias) {
        public Tokens forward(Tokens x) {
            int dim = x.dim();
            if (dim != weight.length) {
                throw new IllegalArgumentException("layer norm expects width " + weight.length + ", got " + dim);
            }
            float[] in = x.data();
            float[] out = new float[in.length];
            for (int r = 0; r < x.rows(); r++) {
                int start = r * dim;
                double sum = 0;
                for (int i = 0; i < dim; i++) sum += in[start + i];
                double mean = sum / dim;
                double squares = 0;
                for (int i = 0; i < dim; i++) {
                    double d = in[start + i] - mean;
                    squares += d * d;
                }
                double rstd = 1 / Math.sqrt(squares / dim + eps);
                for (int i = 0; i < dim; i++) {
                    out[start + i] = (float) ((in[start + i] - mean) * rstd) * weight[i] + bias[i];
                }
            }
            return new Tokens(x.batch(), x.length(), dim, out);
        }
    }
}
