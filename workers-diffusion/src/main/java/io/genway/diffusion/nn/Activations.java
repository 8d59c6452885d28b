package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Pointwise activations. */
public final class Activations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    /**
     * erfc's Chebyshev-fitted exponent by Numerical Recipes (§6.2, erfcc), lowest power first: erfc(z) ≈
     * t·exp(−z² + Σ c_i tⁱ), t = 1/(1 + z/2), fractional error below 1.2e-7 (float rounding adds a few ulp).
     */
    private static final float[] ERFC = {-1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
        0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};

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

    /**
     * The exact (erf) GELU, torch's default: {@code x · Φ(x) = ½ x erfc(−x/√2)}, in float; the scalar and vector
     * forms give the same bits.
     */
    public static float gelu(float x) {
        float z = Math.abs(x) * SQRT_HALF;
        float t = 1f / Math.fma(0.5f, z, 1f);
        float p = ERFC[ERFC.length - 1];
        for (int i = ERFC.length - 2; i >= 0; i--) p = Math.fma(p, t, ERFC[i]);
        float r = t * Exp.exp(Math.fma(-z, z, p));
        return 0.5f * x * (x >= 0 ? 2f - r : r);
    }

    static FloatVector gelu(FloatVector x) {
        FloatVector z = x.abs().mul(SQRT_HALF);
        FloatVector t = FloatVector.broadcast(x.species(), 1f).div(z.fma(0.5f, 1f));
        FloatVector p = FloatVector.broadcast(x.species(), ERFC[ERFC.length - 1]);
        for (int i = ERFC.length - 2; i >= 0; i--) p = p.fma(t, FloatVector.broadcast(x.species(), ERFC[i]));
        FloatVector r = t.mul(Exp.exp(z.neg().fma(z, p)));
        FloatVector positive = FloatVector.broadcast(x.species(), 2f).sub(r);
        return x.mul(0.5f).mul(r.blend(positive, x.compare(VectorOperators.GE, 0f)));
    }

    /**
     * GEGLU on rows of {@code (a, gate)} halves: {@code (rows, 2·inner) → (rows, inner)}, the first half times GELU of
     * the second (diffusers' GEGLU after its projection).
     */
    public static float[] geglu(float[] projected, int rows, int inner) {
        if (projected.length != rows * 2 * inner) {
            throw new IllegalArgumentException("GEGLU expects " + rows + "x" + 2 * inner + " inputs, got "
                    + projected.length);
        }
        float[] out = new float[rows * inner];
        int vectorEnd = S.loopBound(inner);
        for (int r = 0; r < rows; r++) {
            int src = r * 2 * inner;
            int dst = r * inner;
            int i = 0;
            for (; i < vectorEnd; i += S.length()) {
                FloatVector a = FloatVector.fromArray(S, projected, src + i);
                a.mul(gelu(FloatVector.fromArray(S, projected, src + inner + i))).intoArray(out, dst + i);
            }
            for (; i < inner; i++) out[dst + i] = projected[src + i] * gelu(projected[src + inner + i]);
        }
        return out;
    }
}
