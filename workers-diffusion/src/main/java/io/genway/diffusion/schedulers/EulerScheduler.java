package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * Euler's method on the probability-flow ODE in σ space (Karras et al. 2022, Algorithm 2; diffusers'
 * {@code EulerDiscreteScheduler}). Deterministic unless churn is configured. The model sees x / sqrt(σ² + 1).
 */
public final class EulerScheduler extends SigmaStepper {
    private static final double MAX_GAMMA = Math.sqrt(2) - 1;

    private final EulerConfig config;

    public EulerScheduler(EulerConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        super(config.noise(), config.timestepSpacing());
        this.config = config;
    }

    @Override
    SigmaPlan plan(int steps) {
        return SigmaPlan.euler(alphasCumprod, config.timestepSpacing(), steps, config.stepsOffset(),
                config.useKarrasSigmas(), config.finalSigma());
    }

    @Override
    public StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise) {
        VariancePreserving.requireSameLength(sample, modelOutput, "modelOutput");
        int stepIndex = startAt(timestep);
        float[] sigmas = sigmas();
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
        advance();
        return new StepResult(prev, x0);
    }
}
