package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;
import java.util.Arrays;

/**
 * Ancestral sampling of Ho et al., "Denoising Diffusion Probabilistic Models" (diffusers' {@code DDPMScheduler}):
 * x_prev is drawn from the posterior q(x_prev | x_t, x0), so every step but the last draws fresh noise.
 * Until {@link #setTimesteps} is called a run visits every training timestep, as diffusers does.
 */
public final class DdpmScheduler implements Scheduler {
    private static final float MIN_VARIANCE = 1e-20f;

    private final DdpmConfig config;
    private final float[] alphasCumprod;
    private int[] timesteps;

    public DdpmScheduler(DdpmConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.alphasCumprod = config.noise().alphasCumprod();
        int n = config.noise().trainTimesteps();
        this.timesteps = new int[n];
        for (int i = 0; i < n; i++) timesteps[i] = n - 1 - i;
    }

    @Override
    public double[] setTimesteps(int steps) {
        int n = config.noise().trainTimesteps();
        if (steps < 1 || steps > n) throw new IllegalArgumentException("steps must be in [1, " + n + "], was " + steps);
        timesteps = config.timestepSpacing().integerTimesteps(n, steps, config.stepsOffset());
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
        int t = VariancePreserving.trainingTimestep(timestep, config.noise().trainTimesteps());
        float[][] split = splitVariance(modelOutput, sample.length, batch);
        float[] prediction = split[0];
        float[] predictedVariance = split[1];

        Coefficients c = coefficients(t);
        float[] x0 = VariancePreserving.originalSample(config.predictionType(), prediction, sample, c.alphaProd);
        config.clipping().apply(x0, batch);

        // Posterior mean (eq. 7 of the paper): a blend of the x0 estimate and the current sample.
        float x0Coefficient = (float) Math.sqrt(c.alphaProdPrev) * c.beta / (1f - c.alphaProd);
        float sampleCoefficient = (float) Math.sqrt(c.alpha) * (1f - c.alphaProdPrev) / (1f - c.alphaProd);
        float[] prev = new float[sample.length];
        for (int i = 0; i < prev.length; i++) prev[i] = x0Coefficient * x0[i] + sampleCoefficient * sample[i];

        if (t > 0) {
            float[] z = noise.randn(sample.length);
            for (int i = 0; i < prev.length; i++) {
                float v = predictedVariance == null ? 0 : predictedVariance[i];
                prev[i] = prev[i] + standardDeviation(c, v) * z[i];
            }
        }
        return new StepResult(prev, x0);
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, double timestep) {
        int t = VariancePreserving.trainingTimestep(timestep, config.noise().trainTimesteps());
        return VariancePreserving.addNoise(original, noise, alphasCumprod[t]);
    }

    /** diffusers' {@code _get_variance(t)} for the configured fixed variance type (a std for the log variant). */
    float variance(int t) {
        Coefficients c = coefficients(t);
        return switch (config.varianceType()) {
            case FIXED_SMALL -> posteriorVariance(c);
            case FIXED_SMALL_LOG -> (float) Math.exp(0.5f * (float) Math.log(posteriorVariance(c)));
            case FIXED_LARGE -> c.beta;
            case LEARNED, LEARNED_RANGE -> throw new IllegalStateException("a learned variance comes from the model");
        };
    }

    private float standardDeviation(Coefficients c, float predictedVariance) {
        return switch (config.varianceType()) {
            case FIXED_SMALL, FIXED_LARGE -> (float) Math.sqrt(variance(c.t));
            case FIXED_SMALL_LOG -> variance(c.t);
            case LEARNED -> (float) Math.sqrt(predictedVariance);
            case LEARNED_RANGE -> {
                float minLog = (float) Math.log(posteriorVariance(c));
                float maxLog = (float) Math.log(c.beta);
                float fraction = (predictedVariance + 1) / 2;
                float logVariance = fraction * maxLog + (1 - fraction) * minLog;
                yield (float) Math.exp(0.5f * logVariance);
            }
        };
    }

    private static float posteriorVariance(Coefficients c) {
        float v = (1f - c.alphaProdPrev) / (1f - c.alphaProd) * c.beta;
        return Math.max(v, MIN_VARIANCE);
    }

    private Coefficients coefficients(int t) {
        int prevT = previousTimestep(t);
        float alphaProd = alphasCumprod[t];
        float alphaProdPrev = prevT >= 0 ? alphasCumprod[prevT] : 1f;
        float alpha = alphaProd / alphaProdPrev;
        return new Coefficients(t, alphaProd, alphaProdPrev, alpha, 1f - alpha);
    }

    /** The next planned timestep after {@code t}, or -1 after the last. */
    private int previousTimestep(int t) {
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == t) return i + 1 < timesteps.length ? timesteps[i + 1] : -1;
        }
        throw new IllegalArgumentException("timestep " + t + " is not one of the planned timesteps");
    }

    /** Splits (batch, 2C, H, W) into the prediction and the variance halves when the model predicts its variance. */
    private float[][] splitVariance(float[] modelOutput, int sampleLength, int batch) {
        if (modelOutput.length == sampleLength) return new float[][] {modelOutput, null};
        if (!config.varianceType().fromModel() || modelOutput.length != 2 * sampleLength) {
            throw new IllegalArgumentException("modelOutput must have the sample's " + sampleLength
                    + " elements (or twice that for a learned variance), had " + modelOutput.length);
        }
        if (batch <= 0 || sampleLength % batch != 0) {
            throw new IllegalArgumentException("batch must divide the sample length " + sampleLength + ", was " + batch);
        }
        int item = sampleLength / batch;
        float[] prediction = new float[sampleLength];
        float[] variance = new float[sampleLength];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(modelOutput, 2 * b * item, prediction, b * item, item);
            System.arraycopy(modelOutput, 2 * b * item + item, variance, b * item, item);
        }
        return new float[][] {prediction, variance};
    }

    private record Coefficients(int t, float alphaProd, float alphaProdPrev, float alpha, float beta) {}
}
