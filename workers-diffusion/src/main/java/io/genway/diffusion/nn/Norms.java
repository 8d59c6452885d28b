package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Normalisation ops, with statistics accumulated in double (over short float blocks) so that long planes (64x64
 * latents × 40 channels per group) lose nothing to float rounding.
 */
public final class Norms {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats summed in float lanes before a block's total goes into the double sum: 32 per lane. */
    private static final int BLOCK = 32 * S.length();

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
                double mean = sum(in, start, end, false, 0f) / (end - start);
                double rstd = 1 / Math.sqrt(sum(in, start, end, true, (float) mean) / (end - start) + eps);
                for (int c = g * perGroup; c < (g + 1) * perGroup; c++) {
                    float scale = (float) (weight[c] * rstd);
                    float shift = (float) (bias[c] - mean * weight[c] * rstd);
                    int p0 = (n * x.channels() + c) * plane;
                    int vectorEnd = p0 + S.loopBound(plane);
                    int i = p0;
                    for (; i < vectorEnd; i += S.length()) {
                        FloatVector v = FloatVector.fromArray(S, in, i).fma(scale, shift);
                        (silu ? Activations.silu(v) : v).intoArray(out, i);
                    }
                    for (; i < p0 + plane; i++) {
                        float v = Math.fma(in[i], scale, shift);
                        out[i] = silu ? Activations.silu(v) : v;
                    }
                }
            });
            return new FeatureMap(x.batch(), x.channels(), x.height(), x.width(), out);
        }
    }

    /**
     * {@code Σ x[i]} over [start, end), or {@code Σ (x[i] − center)²} with {@code squares}: float lanes over
     * blocks of {@link #BLOCK}, each block's lanes added into a double in a fixed order (never reduceLanes, whose
     * order differs between compiled and interpreted code).
     */
    static double sum(float[] x, int start, int end, boolean squares, float center) {
        float[] lanes = new float[S.length()];
        double total = 0;
        int i = start;
        while (end - i >= S.length()) {
            int blockEnd = i + Math.min(BLOCK, (end - i) / S.length() * S.length());
            FloatVector acc = FloatVector.zero(S);
            for (; i < blockEnd; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                if (squares) {
                    v = v.sub(center);
                    acc = v.fma(v, acc);
                } else {
                    acc = acc.add(v);
                }
            }
            acc.intoArray(lanes, 0);
            for (float lane : lanes) total += lane;
        }
        for (; i < end; i++) {
            float d = x[i] - center;
            total += squares ? d * d : x[i];
        }
        return total;
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
