package io.genway.diffusion.schedulers;

/**
 * The forward (training) noise process every scheduler shares: {@code num_train_timesteps}, {@code beta_start},
 * {@code beta_end}, {@code beta_schedule} and {@code rescale_betas_zero_snr} of a diffusers scheduler config.
 */
public record NoiseSchedule(
        int trainTimesteps, double betaStart, double betaEnd, BetaSchedule betaSchedule, boolean rescaleBetasZeroSnr) {

    /** diffusers' defaults (the DDPM paper): 1000 steps, β linear from 1e-4 to 0.02. */
    public static final NoiseSchedule DEFAULT = new NoiseSchedule(1000, 1e-4, 0.02, BetaSchedule.LINEAR, false);
    /** Stable Diffusion 1.x/2.x: 1000 steps, scaled-linear β from 0.00085 to 0.012. */
    public static final NoiseSchedule STABLE_DIFFUSION =
            new NoiseSchedule(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, false);

    public NoiseSchedule {
        if (trainTimesteps < 2) throw new IllegalArgumentException("trainTimesteps must be >= 2, was " + trainTimesteps);
        if (!(betaStart > 0 && betaStart < 1)) {
            throw new IllegalArgumentException("betaStart must be in (0, 1), was " + betaStart);
        }
        if (!(betaEnd >= betaStart && betaEnd < 1)) {
            throw new IllegalArgumentException("betaEnd must be in [betaStart, 1), was " + betaEnd);
        }
        if (betaSchedule == null) throw new IllegalArgumentException("betaSchedule must not be null");
    }

    public NoiseSchedule withTrainTimesteps(int steps) {
        return new NoiseSchedule(steps, betaStart, betaEnd, betaSchedule, rescaleBetasZeroSnr);
    }

    public NoiseSchedule withBetaStart(double start) {
        return new NoiseSchedule(trainTimesteps, start, betaEnd, betaSchedule, rescaleBetasZeroSnr);
    }

    /** β per training step, float32; rescaled to zero terminal SNR (Lin et al., 2023) when asked. */
    public float[] betas() {
        float[] betas = betaSchedule.betas(trainTimesteps, betaStart, betaEnd);
        return rescaleBetasZeroSnr ? rescaleToZeroTerminalSnr(betas) : betas;
    }

    /** ᾱ_t = Π(1 - β_i) for i ≤ t, float32 (torch's cumprod multiplies in double on CPU). */
    public float[] alphasCumprod() {
        return cumprodOfAlphas(betas());
    }

    /**
     * ᾱ for schedulers that divide by it (Euler, DPM-Solver): a zero-SNR schedule's final ᾱ of 0 would make the
     * first σ infinite, so it becomes 2^-24 (the smallest positive fp16 subnormal), as in diffusers.
     */
    float[] alphasCumprodForSigmas() {
        float[] alphasCumprod = alphasCumprod();
        if (rescaleBetasZeroSnr) alphasCumprod[alphasCumprod.length - 1] = 0x1.0p-24f;
        return alphasCumprod;
    }

    private static float[] cumprodOfAlphas(float[] betas) {
        float[] out = new float[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= 1f - betas[i];
            out[i] = (float) product;
        }
        return out;
    }

    /** Shifts and scales sqrt(ᾱ) so that the last step is pure noise while the first keeps its value. */
    private static float[] rescaleToZeroTerminalSnr(float[] betas) {
        float[] root = cumprodOfAlphas(betas);
        for (int i = 0; i < root.length; i++) root[i] = (float) Math.sqrt(root[i]);
        float first = root[0];
        float last = root[root.length - 1];
        float scale = first / (first - last);
        float[] alphaBar = new float[root.length];
        for (int i = 0; i < root.length; i++) {
            float shifted = (root[i] - last) * scale;
            alphaBar[i] = shifted * shifted;
        }
        float[] rescaled = new float[betas.length];
        rescaled[0] = 1f - alphaBar[0];
        for (int i = 1; i < betas.length; i++) rescaled[i] = 1f - alphaBar[i] / alphaBar[i - 1];
        return rescaled;
    }
}
