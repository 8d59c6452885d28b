package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;

/** Pointwise activations. */
public final class Activations {
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private Activations() {}

    /**
     * {@code x · σ(x) = x / (1 + e^−x)} in float, with {@link Exp}: the scalar and the {@link #silu(FloatVector)} form
     * give the same bits, so a map's tail lanes match its vector body.
     */
    public static float silu(float x) {
        return x / (1f + Exp.exp(-x));
    }

    static FloatVector silu(FloatVector x) {
        return x.div(Exp.exp(x.neg()).add(1f));
    }

    public static float[] silu(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = silu(x[i]);
        return out;
    }

    /** The exact (erf) GELU, torch's default: x · Φ(x). */
    public static float gelu(float x) {
        return (float) (0.5 * x * erfc(-x * SQRT_HALF));
    }

    /**
     * Complementary error function by the Chebyshev-fitted exponential of Numerical Recipes (§6.2, erfcc): fractional
     * error below 1.2e-7 everywhere, which is float precision.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
