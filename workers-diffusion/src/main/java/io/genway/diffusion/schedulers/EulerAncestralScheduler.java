package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * Ancestral Euler sampling (k-diffusion's {@code sample_euler_ancestral}; diffusers'
 * {@code EulerAncestralDiscreteScheduler}): each step goes down to σ_down by Euler and adds fresh noise of
 * σ_up, with σ_down² + σ_up² = σ_next². Draws noise on every step, the last included.
 */
public final class EulerAncestralScheduler extends SigmaStepper {
    private final EulerAncestralConfig config;

    public EulerAncestralScheduler(EulerAncestralConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        super(config.noise(), config.timestepSpacing());
        this.config = config;
    }

    @Override
    SigmaPlan plan(int steps) {
        return SigmaPlan.euler(alphasCumprod, config.timestepSpacing(), steps, config.stepsOffset(), false, Sigmas.Final.ZERO);
    }

    @Override
    public StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise) {
        VariancePreserving.requireSameLength(sample, modelOutput, "modelOutput");
        int stepIndex = startAt(timestep);
        float sigmaFrom = sigmas()[stepIndex];
        float sigmaTo = sigmas()[stepIndex + 1];
        float from2 = sigmaFrom * sigmaFrom;
        float to2 = sigmaTo * sigmaTo;
        float sigmaUp = (float) Math.sqrt(to2 * (from2 - to2) / from2);
        float sigmaDown = (float) Math.sqrt(to2 - sigmaUp * sigmaUp);

        float[] x0 = KarrasPrediction.originalSample(config.predictionType(), modelOutput, sample, sigmaFrom,
                sigmaFrom);
        float dt = sigmaDown - sigmaFrom;
        float[] z = noise.randn(sample.length);
        float[] prev = new float[sample.length];
        for (int i = 0; i < prev.length; i++) {
            float derivative = (sample[i] - x0[i]) / sigmaFrom;
            prev[i] = sample[i] + derivative * dt;
            prev[i] = prev[i] + z[i] * sigmaUp;
        }
        advance();
        return new StepResult(prev, x0);
    }
}
