package io.genway.diffusion.schedulers;

/**
 * {@code DDPMScheduler}'s config. Defaults: {@link NoiseSchedule#DEFAULT}, {@code fixed_small} variance,
 * epsilon prediction, clip to [-1, 1], leading spacing, no steps offset.
 */
public record DdpmConfig(
        NoiseSchedule noise,
        VarianceType varianceType,
        PredictionType predictionType,
        SampleClipping clipping,
        TimestepSpacing timestepSpacing,
        int stepsOffset) {

    public static final DdpmConfig DEFAULT = new DdpmConfig(NoiseSchedule.DEFAULT, VarianceType.FIXED_SMALL,
            PredictionType.EPSILON, SampleClipping.UNIT, TimestepSpacing.LEADING, 0);

    /** The DDPM variance of a step ({@code variance_type} in diffusers). */
    public enum VarianceType {
        /** β̃_t = (1 - ᾱ_prev) / (1 - ᾱ_t) β_t: the posterior variance. */
        FIXED_SMALL,
        /** The same, computed through its log (as std directly). */
        FIXED_SMALL_LOG,
        /** β_t: the prior's variance. */
        FIXED_LARGE,
        /** The model's second half of channels is the variance itself. */
        LEARNED,
        /** The model's second half of channels, v in [-1, 1], interpolates log β̃_t .. log β_t (improved DDPM). */
        LEARNED_RANGE;

        boolean fromModel() {
            return this == LEARNED || this == LEARNED_RANGE;
        }
    }

    public DdpmConfig {
        if (noise == null) throw new IllegalArgumentException("noise must not be null");
        if (varianceType == null) throw new IllegalArgumentException("varianceType must not be null");
        if (predictionType == null) throw new IllegalArgumentException("predictionType must not be null");
        if (clipping == null) throw new IllegalArgumentException("clipping must not be null");
        if (timestepSpacing == null) throw new IllegalArgumentException("timestepSpacing must not be null");
        if (stepsOffset < 0) throw new IllegalArgumentException("stepsOffset must be >= 0, was " + stepsOffset);
    }

    public DdpmConfig withPredictionType(PredictionType type) {
        return new DdpmConfig(noise, varianceType, type, clipping, timestepSpacing, stepsOffset);
    }

    public DdpmConfig withVarianceType(VarianceType type) {
        return new DdpmConfig(noise, type, predictionType, clipping, timestepSpacing, stepsOffset);
    }

    public DdpmConfig withClipping(SampleClipping newClipping) {
        return new DdpmConfig(noise, varianceType, predictionType, newClipping, timestepSpacing, stepsOffset);
    }

    public DdpmConfig withTimestepSpacing(TimestepSpacing spacing, int offset) {
        return new DdpmConfig(noise, varianceType, predictionType, clipping, spacing, offset);
    }
}
