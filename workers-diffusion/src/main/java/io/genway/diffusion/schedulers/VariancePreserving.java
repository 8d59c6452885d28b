package io.genway.diffusion.schedulers;

/**
 * Conversions in the variance-preserving parameterisation x_t = sqrt(ᾱ) x0 + sqrt(1 - ᾱ) ε that DDPM and DDIM
 * step in. Every operation rounds to float32 where torch does, so full loops land on diffusers' numbers.
 */
final class VariancePreserving {
    private VariancePreserving() {}

    /** The clean-sample estimate x0 implied by the model output at ᾱ = {@code alphaProd}. */
    static float[] originalSample(PredictionType type, float[] modelOutput, float[] sample, float alphaProd) {
        float alphaRoot = (float) Math.sqrt(alphaProd);
        float betaRoot = (float) Math.sqrt(1f - alphaProd);
        float[] x0 = new float[sample.length];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = switch (type) {
                case EPSILON -> (sample[i] - betaRoot * modelOutput[i]) / alphaRoot;
                case SAMPLE -> modelOutput[i];
                case V_PREDICTION -> alphaRoot * sample[i] - betaRoot * modelOutput[i];
            };
        }
        return x0;
    }

    /** The noise estimate ε implied by the model output (for {@code SAMPLE}, from the unclipped x0). */
    static float[] epsilon(PredictionType type, float[] modelOutput, float[] sample, float alphaProd) {
        float alphaRoot = (float) Math.sqrt(alphaProd);
        float betaRoot = (float) Math.sqrt(1f - alphaProd);
        float[] eps = new float[sample.length];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = switch (type) {
                case EPSILON -> modelOutput[i];
                case SAMPLE -> (sample[i] - alphaRoot * modelOutput[i]) / betaRoot;
                case V_PREDICTION -> alphaRoot * modelOutput[i] + betaRoot * sample[i];
            };
        }
        return eps;
    }

    /** The noise a (possibly clipped) x0 leaves in the sample: (x_t - sqrt(ᾱ) x0) / sqrt(1 - ᾱ). */
    static float[] epsilonFrom(float[] x0, float[] sample, float alphaProd) {
        float alphaRoot = (float) Math.sqrt(alphaProd);
        float betaRoot = (float) Math.sqrt(1f - alphaProd);
        float[] eps = new float[sample.length];
        for (int i = 0; i < eps.length; i++) eps[i] = (sample[i] - alphaRoot * x0[i]) / betaRoot;
        return eps;
    }

    /** sqrt(ᾱ) x0 + sqrt(1 - ᾱ) noise. */
    static float[] addNoise(float[] original, float[] noise, float alphaProd) {
        requireSameLength(original, noise, "noise");
        float alphaRoot = (float) Math.sqrt(alphaProd);
        float betaRoot = (float) Math.sqrt(1f - alphaProd);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = alphaRoot * original[i] + betaRoot * noise[i];
        return out;
    }

    static void requireSameLength(float[] sample, float[] other, String name) {
        if (other.length != sample.length) {
            throw new IllegalArgumentException(
                    name + " must have the sample's " + sample.length + " elements, had " + other.length);
        }
    }

    static int trainingTimestep(double timestep, int trainTimesteps) {
        int t = (int) timestep;
        if (t != timestep || t < 0 || t >= trainTimesteps) {
            throw new IllegalArgumentException(
                    "timestep must be an integer in [0, " + trainTimesteps + "), was " + timestep);
        }
        return t;
    }
}
