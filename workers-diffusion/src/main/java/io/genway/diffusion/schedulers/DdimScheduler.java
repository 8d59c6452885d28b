package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;
import java.util.Arrays;

/**
 * Song et al., "Denoising Diffusion Implicit Models" (diffusers' {@code DDIMScheduler}): with eta 0 a deterministic
 * jump from x_t to x_prev along the predicted noise direction; eta 1 recovers DDPM's variance.
 */
public final class DdimScheduler implements Scheduler {
    private final DdimConfig config;
    private final float[] alphasCumprod;
    /** ᾱ used past the last step: 1 (fully clean) or ᾱ_0, per {@code set_alpha_to_one}. */
    private final float finalAlphaCumprod;
    private int steps;

    public DdimScheduler(DdimConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.alphasCumprod = config.noise().alphasCumprod();
        this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : alphasCumprod[0];
    }

    @Override
    public double[] setTimesteps(int steps) {
        int n = config.noise().trainTimesteps();
        if (steps < 1 || steps > n) throw new IllegalArgumentException("steps must be in [1, " + n + "], was " + steps);
        this.steps = steps;
        int[] timesteps = config.timestepSpacing().integerTimesteps(n, steps, config.stepsOffset());
        return Arrays.stream(timesteps).asDoubleStream().toArray();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, double timestep) {
        return sample;
    }

    @Override
    public StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise) {
        if (steps == 0) throw new IllegalStateException("setTimesteps must be called before step");
        VariancePreserving.requireSameLength(sample, modelOutput, "modelOutput");
        int t = VariancePreserving.trainingTimestep(timestep, config.noise().trainTimesteps());
        // diffusers uses the leading stride whatever the spacing
        int prevT = t - config.noise().trainTimesteps() / steps;
        float alphaProd = alphasCumprod[t];
        float alphaProdPrev = alphaProd(prevT);

        PredictionType type = config.predictionType();
        float[] x0 = VariancePreserving.originalSample(type, modelOutput, sample, alphaProd);
        float[] eps = VariancePreserving.epsilon(type, modelOutput, sample, alphaProd);
        config.clipping().apply(x0, batch);

        float std = (float) config.eta() * (float) Math.sqrt(variance(t, prevT));
        if (config.useClippedModelOutput()) eps = VariancePreserving.epsilonFrom(x0, sample, alphaProd);

        float x0Coefficient = (float) Math.sqrt(alphaProdPrev);
        float directionCoefficient = (float) Math.sqrt(1f - alphaProdPrev - std * std);
        float[] prev = new float[sample.length];
        for (int i = 0; i < prev.length; i++) prev[i] = x0Coefficient * x0[i] + directionCoefficient * eps[i];
        if (config.eta() > 0) {
            float[] z = noise.randn(sample.length);
            for (int i = 0; i < prev.length; i++) prev[i] = prev[i] + std * z[i];
        }
        return new StepResult(prev, x0);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, double timestep) {
        int t = VariancePreserving.trainingTimestep(timestep, config.noise().trainTimesteps());
        return VariancePreserving.addNoise(original, noise, alphasCumprod[t]);
    }

    /** σ_t² of the DDIM paper (eq. 16) for eta 1: (1 - ᾱ_prev)/(1 - ᾱ_t) (1 - ᾱ_t/ᾱ_prev). */
    float variance(int t, int prevT) {
        float alphaProd = alphasCumprod[t];
        float alphaProdPrev = alphaProd(prevT);
        return (1f - alphaProdPrev) / (1f - alphaProd) * (1f - alphaProd / alphaProdPrev);
    }

    private float alphaProd(int t) {
        return t >= 0 ? alphasCumprod[t] : finalAlphaCumprod;
    }
}
