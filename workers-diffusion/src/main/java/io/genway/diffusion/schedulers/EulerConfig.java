package io.genway.diffusion.schedulers;

/**
 * {@code EulerDiscreteScheduler}'s config, plus the churn arguments diffusers takes per {@code step} call
 * ({@code s_churn}, {@code s_tmin}, {@code s_tmax}, {@code s_noise}; Karras et al. 2022, Algorithm 2), which a run
 * holds fixed. Defaults: {@link NoiseSchedule#DEFAULT}, epsilon, linspace spacing, no offset, interpolated σ,
 * final σ 0, no churn.
 */
public record EulerConfig(
        NoiseSchedule noise,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean useKarrasSigmas,
        boolean finalSigmaZero,
        double sChurn,
        double sTmin,
        double sTmax,
        double sNoise) {

    public static final EulerConfig DEFAULT = new EulerConfig(NoiseSchedule.DEFAULT, PredictionType.EPSILON,
            TimestepSpacing.LINSPACE, 0, false, true, 0.0, 0.0, Double.POSITIVE_INFINITY, 1.0);

    public EulerConfig {
        if (noise == null) throw new IllegalArgumentException("noise must not be null");
        if (predictionType == null) throw new IllegalArgumentException("predictionType must not be null");
        if (timestepSpacing == null) throw new IllegalArgumentException("timestepSpacing must not be null");
        if (stepsOffset < 0) throw new IllegalArgumentException("stepsOffset must be >= 0, was " + stepsOffset);
        if (!(sChurn >= 0)) throw new IllegalArgumentException("sChurn must be >= 0, was " + sChurn);
        if (!(sTmin >= 0 && sTmax >= sTmin)) {
            throw new IllegalArgumentException("sTmin must be in [0, sTmax], was " + sTmin + " (sTmax " + sTmax + ")");
        }
        if (!(sNoise >= 0)) throw new IllegalArgumentException("sNoise must be >= 0, was " + sNoise);
    }

    public EulerConfig withNoise(NoiseSchedule schedule) {
        return new EulerConfig(schedule, predictionType, timestepSpacing, stepsOffset, useKarrasSigmas, finalSigmaZero,
                sChurn, sTmin, sTmax, sNoise);
    }

    public EulerConfig withPredictionType(PredictionType type) {
        return new EulerConfig(noise, type, timestepSpacing, stepsOffset, useKarrasSigmas, finalSigmaZero, sChurn,
                sTmin, sTmax, sNoise);
    }

    public EulerConfig withKarrasSigmas(boolean karras) {
        return new EulerConfig(noise, predictionType, timestepSpacing, stepsOffset, karras, finalSigmaZero, sChurn,
                sTmin, sTmax, sNoise);
    }

    public EulerConfig withTimestepSpacing(TimestepSpacing spacing, int offset) {
        return new EulerConfig(noise, predictionType, spacing, offset, useKarrasSigmas, finalSigmaZero, sChurn, sTmin,
                sTmax, sNoise);
    }

    public EulerConfig withChurn(double churn) {
        return new EulerConfig(noise, predictionType, timestepSpacing, stepsOffset, useKarrasSigmas, finalSigmaZero,
                churn, sTmin, sTmax, sNoise);
    }

    Sigmas.Final finalSigma() {
        return finalSigmaZero ? Sigmas.Final.ZERO : Sigmas.Final.SIGMA_MIN;
    }
}
