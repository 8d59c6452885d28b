package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * Ancestral Euler sampling (k-diffusion's {@code sample_euler_ancestral}; diffusers'
 * {@code EulerAncestralDiscreteScheduler}): each step goes down to σ_down by Euler and adds fresh noise of
 * σ_up, with σ_down² + σ_up² = σ_next². Draws noise on every step, the last included.
 */
public final class EulerAncestralScheduler implements Scheduler {
    private final EulerAncestralConfig config;
    private final float[] alphasCumprod;
    private SigmaPlan plan;
    private int stepIndex = -1;

    public EulerAncestralScheduler(EulerAncestralConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.alphasCumprod = config.noise().alphasCumprodForSigmas();
    }

    @Override
    public double[] setTimesteps(int steps) {
        int n = config.noise().trainTimesteps();
        if (steps < 1 || steps > n) throw new IllegalArgumentException("steps must be in [1, " + n + "], was " + steps);
        plan = SigmaPlan.euler(alphasCumprod, config.timestepSpacing(), steps, config.stepsOffset(), false,
                Sigmas.Final.ZERO);
        stepIndex = -1;
        return plan.timestepsAsDoubles();
    }

    @Override
    public float initNoiseSigma() {
        return plan().initNoiseSigma(config.timestepSpacing());
    }

    @Override
    public float[] scaleModelInput(float[] sample, double timestep) {
        startAt(timestep);
        return plan.scaleInput(sample, stepIndex);
    }

    @Override
    public StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise) {
        VariancePreserving.requireSameLength(sample, modelOutput, "modelOutput");
        startAt(timestep);
        float sigmaFrom = plan.sigmas()[stepIndex];
        float sigmaTo = plan.sigmas()[stepIndex + 1];
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
        stepIndex++;
        return new StepResult(prev, x0);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, double timestep) {
        return plan().addNoise(original, noise, timestep);
    }

    private void startAt(double timestep) {
        if (plan().timesteps().length <= stepIndex) throw new IllegalStateException("the planned run is over");
        if (stepIndex < 0) stepIndex = plan.indexOf(timestep);
    }

    private SigmaPlan plan() {
        if (plan == null) throw new IllegalStateException("setTimesteps must be called first");
        return plan;
    }
}
