package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * Euler's method on the probability-flow ODE in σ space (Karras et al. 2022, Algorithm 2; diffusers'
 * {@code EulerDiscreteScheduler}). Deterministic unless churn is configured. The model sees x / sqrt(σ² + 1).
 */
public final class EulerScheduler implements Scheduler {
    private static final double MAX_GAMMA = Math.sqrt(2) - 1;

    private final EulerConfig config;
    private final float[] alphasCumprod;
    private SigmaPlan plan;
    private int stepIndex = -1;

    public EulerScheduler(EulerConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.alphasCumprod = config.noise().alphasCumprodForSigmas();
    }

    @Override
    public double[] setTimesteps(int steps) {
        int n = config.noise().trainTimesteps();
        if (steps < 1 || steps > n) throw new IllegalArgumentException("steps must be in [1, " + n + "], was " + steps);
        plan = SigmaPlan.euler(alphasCumprod, config.timestepSpacing(), steps, config.stepsOffset(),
                config.useKarrasSigmas(), config.finalSigma());
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
        float[] sigmas = plan.sigmas();
        float sigma = sigmas[stepIndex];
        double gamma = config.sTmin() <= sigma && sigma <= config.sTmax()
                ? Math.min(config.sChurn() / (sigmas.length - 1), MAX_GAMMA) : 0.0;
        float sigmaHat = sigma * (float) (gamma + 1);
        float[] x = sample;
        if (gamma > 0) {
            // churn: raise the noise level to σ̂ first by adding fresh noise
            float[] z = noise.randn(sample.length);
            float extra = (float) Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
            x = new float[sample.length];
            for (int i = 0; i < x.length; i++) x[i] = sample[i] + z[i] * (float) config.sNoise() * extra;
        }
        float[] x0 = KarrasPrediction.originalSample(config.predictionType(), modelOutput, x, sigma, sigmaHat);
        float dt = sigmas[stepIndex + 1] - sigmaHat;
        float[] prev = new float[x.length];
        for (int i = 0; i < prev.length; i++) {
            float derivative = (x[i] - x0[i]) / sigmaHat;
            prev[i] = x[i] + derivative * dt;
        }
        stepIndex++;
        return new StepResult(prev, x0);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, double timestep) {
        return plan().addNoise(original, noise, timestep);
    }

    float[] sigmas() {
        return plan().sigmas().clone();
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
