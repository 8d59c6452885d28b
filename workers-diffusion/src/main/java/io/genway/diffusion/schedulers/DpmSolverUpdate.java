package io.genway.diffusion.schedulers;

/**
 * The DPM-Solver++ updates from σ_s0 = {@code sigmas[index]} to σ_t = {@code sigmas[index + 1]}, in float32 as torch
 * computes them. With α = 1/sqrt(σ² + 1), s = σ α and λ = log α - log s, h = λ_t - λ_s0 is the step in log-SNR.
 */
final class DpmSolverUpdate {
    private final float sigmaT;
    private final float alphaT;
    private final float sigmaS0;
    private final float h;
    private final float lambdaS0;
    private final float[] sigmas;
    private final int index;
    private final DpmSolverConfig.SolverType solverType;

    DpmSolverUpdate(float[] sigmas, int index, DpmSolverConfig.SolverType solverType) {
        this.sigmas = sigmas;
        this.index = index;
        this.solverType = solverType;
        this.alphaT = alpha(sigmas[index + 1]);
        this.sigmaT = sigmas[index + 1] * alphaT;
        this.sigmaS0 = sigmas[index] * alpha(sigmas[index]);
        this.lambdaS0 = lambda(sigmas[index]);
        this.h = lambda(sigmas[index + 1]) - lambdaS0;
    }

    static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1);
    }

    private static float lambda(float sigma) {
        float alpha = alpha(sigma);
        return (float) Math.log(alpha) - (float) Math.log(sigma * alpha);
    }

    /** x_t = (s_t/s_s) x - α_t (e^-h - 1) D0: DDIM in disguise. */
    float[] firstOrder(float[] sample, float[] d0) {
        float sampleScale = sigmaT / sigmaS0;
        float d0Scale = alphaT * (expMinusH() - 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sampleScale * sample[i] - d0Scale * d0[i];
        return out;
    }

    /** Adds the first difference D1 = (m0 - m1)/r0 of the last two x0 estimates. */
    float[] secondOrder(float[] sample, float[] m0, float[] m1) {
        float r0 = (lambdaS0 - lambda(sigmas[index - 1])) / h;
        float inverseR0 = 1f / r0;
        float sampleScale = sigmaT / sigmaS0;
        float d0Scale = alphaT * (expMinusH() - 1f);
        float[] out = new float[sample.length];
        if (solverType == DpmSolverConfig.SolverType.MIDPOINT) {
            float d1Scale = 0.5f * d0Scale;
            for (int i = 0; i < out.length; i++) {
                float d1 = inverseR0 * (m0[i] - m1[i]);
                out[i] = sampleScale * sample[i] - d0Scale * m0[i] - d1Scale * d1;
            }
        } else {
            float d1Scale = alphaT * ((expMinusH() - 1f) / h + 1f);
            for (int i = 0; i < out.length; i++) {
                float d1 = inverseR0 * (m0[i] - m1[i]);
                out[i] = sampleScale * sample[i] - d0Scale * m0[i] + d1Scale * d1;
            }
        }
        return out;
    }

    /** Adds a second difference D2 from three x0 estimates. */
    float[] thirdOrder(float[] sample, float[] m0, float[] m1, float[] m2) {
        float lambdaS1 = lambda(sigmas[index - 1]);
        float lambdaS2 = lambda(sigmas[index - 2]);
        float r0 = (lambdaS0 - lambdaS1) / h;
        float r1 = (lambdaS1 - lambdaS2) / h;
        float inverseR0 = 1f / r0;
        float inverseR1 = 1f / r1;
        float d1Weight = r0 / (r0 + r1);
        float d2Weight = 1f / (r0 + r1);
        float e = expMinusH();
        float sampleScale = sigmaT / sigmaS0;
        float d0Scale = alphaT * (e - 1f);
        float d1Scale = alphaT * ((e - 1f) / h + 1f);
        float d2Scale = alphaT * ((e - 1f + h) / (h * h) - 0.5f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            float d10 = inverseR0 * (m0[i] - m1[i]);
            float d11 = inverseR1 * (m1[i] - m2[i]);
            float d1 = d10 + d1Weight * (d10 - d11);
            float d2 = d2Weight * (d10 - d11);
            out[i] = sampleScale * sample[i] - d0Scale * m0[i] + d1Scale * d1 - d2Scale * d2;
        }
        return out;
    }

    private float expMinusH() {
        return (float) Math.exp(-h);
    }
}
