package io.genway.diffusion.schedulers;

import java.util.Arrays;

/**
 * One run's timesteps and the σ at each, plus the σ after the last step: what Euler-style schedulers iterate.
 * {@code sigmas} has one more entry than {@code timesteps}.
 */
record SigmaPlan(float[] timesteps, float[] sigmas) {
    SigmaPlan {
        if (sigmas.length != timesteps.length + 1) {
            throw new IllegalArgumentException("sigmas must have one more entry than timesteps, had " + sigmas.length
                    + " for " + timesteps.length);
        }
    }

    /** Euler's plan: float timesteps by spacing, σ interpolated there, or Karras-spaced σ mapped back to t. */
    static SigmaPlan euler(float[] alphasCumprod, TimestepSpacing spacing, int steps, int stepsOffset,
            boolean karras, Sigmas.Final finalSigma) {
        float[] trainingSigmas = Sigmas.training(alphasCumprod);
        float[] timesteps = spacing.fractionalTimesteps(alphasCumprod.length, steps, stepsOffset);
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < sigmas.length; i++) sigmas[i] = Sigmas.interpolate(timesteps[i], trainingSigmas);
        if (karras) {
            sigmas = Sigmas.karras(sigmas[sigmas.length - 1], sigmas[0], steps);
            float[] logSigmas = Sigmas.logs(trainingSigmas);
            timesteps = new float[sigmas.length];
            for (int i = 0; i < sigmas.length; i++) timesteps[i] = (float) Sigmas.timestep(sigmas[i], logSigmas);
        }
        return new SigmaPlan(timesteps, withFinal(sigmas, finalSigma.value(alphasCumprod)));
    }

    static float[] withFinal(double[] sigmas, float last) {
        float[] out = new float[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) out[i] = (float) sigmas[i];
        out[sigmas.length] = last;
        return out;
    }

    /** x + σ noise, σ at the planned position of {@code timestep}. */
    float[] addNoise(float[] original, float[] noise, double timestep) {
        VariancePreserving.requireSameLength(original, noise, "noise");
        float sigma = sigmas[indexOf(timestep)];
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = original[i] + noise[i] * sigma;
        return out;
    }

    /**
     * The starting noise's scale: σmax for linspace and trailing spacing (which start at the last training step),
     * sqrt(σmax² + 1) for leading.
     */
    float initNoiseSigma(TimestepSpacing spacing) {
        float max = maxSigma();
        return spacing == TimestepSpacing.LEADING ? (float) Math.sqrt(max * max + 1) : max;
    }

    /** The model's input at plan position {@code index}: x / sqrt(σ² + 1). */
    float[] scaleInput(float[] sample, int index) {
        float sigma = sigmas[index];
        float divisor = (float) Math.sqrt(sigma * sigma + 1);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sample[i] / divisor;
        return out;
    }

    float maxSigma() {
        float max = 0;
        for (float s : sigmas) max = Math.max(max, s);
        return max;
    }

    double[] timestepsAsDoubles() {
        double[] out = new double[timesteps.length];
        for (int i = 0; i < out.length; i++) out[i] = timesteps[i];
        return out;
    }

    /**
     * Where a run that starts at {@code timestep} begins: its position in the plan, the second one if it appears
     * twice (so img2img that starts mid-schedule does not skip a step).
     */
    int indexOf(double timestep) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == timestep) {
                if (first >= 0) return i;
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("timestep " + timestep + " is not one of the planned timesteps "
                    + Arrays.toString(timesteps));
        }
        return first;
    }
}
