package io.genway.diffusion.schedulers;

/**
 * The noise levels σ = sqrt((1 - ᾱ)/ᾱ) that the k-diffusion style schedulers (Euler, DPM-Solver) step through,
 * and the ways diffusers spaces them. Float32 where torch computes, float64 where numpy does.
 */
final class Sigmas {
    private static final double KARRAS_RHO = 7.0;

    private Sigmas() {}

    /** σ per training timestep, ascending with t (float32, as torch computes it from ᾱ). */
    static float[] training(float[] alphasCumprod) {
        float[] sigmas = new float[alphasCumprod.length];
        for (int t = 0; t < sigmas.length; t++) sigmas[t] = sigma(alphasCumprod[t]);
        return sigmas;
    }

    static float sigma(float alphaProd) {
        return (float) Math.sqrt((1f - alphaProd) / alphaProd);
    }

    /** log σ per training timestep, float32 (numpy's log of a float32 array). */
    static float[] logs(float[] sigmas) {
        float[] logs = new float[sigmas.length];
        for (int t = 0; t < logs.length; t++) logs[t] = (float) Math.log(sigmas[t]);
        return logs;
    }

    /** numpy's {@code interp(t, arange(N), sigmas)}: linear between neighbouring training timesteps. */
    static double interpolate(double timestep, float[] sigmas) {
        if (timestep <= 0) return sigmas[0];
        if (timestep >= sigmas.length - 1) return sigmas[sigmas.length - 1];
        int low = (int) Math.floor(timestep);
        double slope = (double) sigmas[low + 1] - sigmas[low]; // training timesteps are 1 apart
        return slope * (timestep - low) + sigmas[low];
    }

    /** Karras et al. (2022), eq. 5 with ρ = 7: dense near σmin, sparse near σmax; {@code count} points, descending. */
    static double[] karras(double sigmaMin, double sigmaMax, int count) {
        double minInvRho = Math.pow(sigmaMin, 1 / KARRAS_RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / KARRAS_RHO);
        double[] ramp = TimestepSpacing.numpyLinspace(0, 1, count);
        double[] sigmas = new double[count];
        for (int i = 0; i < count; i++) sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), KARRAS_RHO);
        return sigmas;
    }

    /**
     * diffusers' {@code _sigma_to_t}: the fractional training timestep whose σ this is, by linear interpolation in
     * log σ between the two neighbouring training steps (clamped to the ends).
     */
    static double timestep(double sigma, float[] logSigmas) {
        // numpy 1.x value-based casting keeps this float32: the float64 log σ meets float32 arrays throughout
        float logSigma = (float) Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) if (logSigma - logSigmas[i] >= 0) low = i;
        low = Math.min(low, logSigmas.length - 2);
        float lowLog = logSigmas[low];
        float highLog = logSigmas[low + 1];
        float w = Math.clamp((lowLog - logSigma) / (lowLog - highLog), 0f, 1f);
        return (double) (1 - w) * low + (double) w * (low + 1);
    }

    /** The σ a run ends on ({@code final_sigmas_type}). */
    enum Final {
        /** Denoise fully: the last step lands on σ = 0. */
        ZERO,
        /** Stop at the smallest training σ, as some fine-tuned models expect. */
        SIGMA_MIN;

        float value(float[] alphasCumprod) {
            return this == ZERO ? 0f : sigma(alphasCumprod[0]);
        }
    }
}
