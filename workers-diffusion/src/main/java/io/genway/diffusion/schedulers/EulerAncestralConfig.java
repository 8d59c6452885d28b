package io.genway.diffusion.schedulers;

/**
 * {@code EulerAncestralDiscreteScheduler}'s config. Defaults: {@link NoiseSchedule#DEFAULT}, epsilon, linspace
 * spacing, no offset. diffusers implements only epsilon and v-prediction for it.
 */
public record EulerAncestralConfig(
        NoiseSchedule noise, PredictionType predictionType, TimestepSpacing timestepSpacing, int stepsOffset) {

    public static final EulerAncestralConfig DEFAULT =
            new EulerAncestralConfig(NoiseSchedule.DEFAULT, PredictionType.EPSILON, TimestepSpacing.LINSPACE, 0);

    public EulerAncestralConfig {
        if (noise == null) throw new IllegalArgumentException("noise must not be null");
        if (predictionType == null || predictionType == PredictionType.SAMPLE) {
            throw new IllegalArgumentException("predictionType must be EPSILON or V_PREDICTION, was " + predictionType);
        }
        if (timestepSpacing == null) throw new IllegalArgumentException("timestepSpacing must not be null");
        if (stepsOffset < 0) throw new IllegalArgumentException("stepsOffset must be >= 0, was " + stepsOffset);
    }

    public EulerAncestralConfig withNoise(NoiseSchedule schedule) {
        return new EulerAncestralConfig(schedule, predictionType, timestepSpacing, stepsOffset);
    }

    public EulerAncestralConfig withPredictionType(PredictionType type) {
        return new EulerAncestralConfig(noise, type, timestepSpacing, stepsOffset);
    }
}
