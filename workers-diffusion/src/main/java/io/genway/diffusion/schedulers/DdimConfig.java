package io.genway.diffusion.schedulers;

/**
 * {@code DDIMScheduler}'s config, plus the two arguments diffusers takes per {@code step} call ({@code eta},
 * {@code use_clipped_model_output}): a run uses one value of each, so they live here.
 * Defaults: {@link NoiseSchedule#DEFAULT}, epsilon, clip to [-1, 1], {@code set_alpha_to_one}, leading spacing,
 * no offset, eta 0 (deterministic).
 */
public record DdimConfig(
        NoiseSchedule noise,
        PredictionType predictionType,
        SampleClipping clipping,
        boolean setAlphaToOne,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        double eta,
        boolean useClippedModelOutput) {

    public static final DdimConfig DEFAULT = new DdimConfig(NoiseSchedule.DEFAULT, PredictionType.EPSILON,
            SampleClipping.UNIT, true, TimestepSpacing.LEADING, 0, 0.0, false);

    public DdimConfig {
        if (noise == null) throw new IllegalArgumentException("noise must not be null");
        if (predictionType == null) throw new IllegalArgumentException("predictionType must not be null");
        if (clipping == null) throw new IllegalArgumentException("clipping must not be null");
        if (timestepSpacing == null) throw new IllegalArgumentException("timestepSpacing must not be null");
        if (stepsOffset < 0) throw new IllegalArgumentException("stepsOffset must be >= 0, was " + stepsOffset);
        if (!(eta >= 0 && eta <= 1)) throw new IllegalArgumentException("eta must be in [0, 1], was " + eta);
    }

    public DdimConfig withNoise(NoiseSchedule schedule) {
        return new DdimConfig(schedule, predictionType, clipping, setAlphaToOne, timestepSpacing, stepsOffset, eta,
                useClippedModelOutput);
    }

    public DdimConfig withPredictionType(PredictionType type) {
        return new DdimConfig(noise, type, clipping, setAlphaToOne, timestepSpacing, stepsOffset, eta,
                useClippedModelOutput);
    }

    public DdimConfig withSetAlphaToOne(boolean one) {
        return new DdimConfig(noise, predictionType, clipping, one, timestepSpacing, stepsOffset, eta,
                useClippedModelOutput);
    }

    public DdimConfig withTimestepSpacing(TimestepSpacing spacing, int offset) {
        return new DdimConfig(noise, predictionType, clipping, setAlphaToOne, spacing, offset, eta,
                useClippedModelOutput);
    }

    public DdimConfig withEta(double newEta) {
        return new DdimConfig(noise, predictionType, clipping, setAlphaToOne, timestepSpacing, stepsOffset, newEta,
                useClippedModelOutput);
    }
}
