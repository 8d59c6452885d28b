package io.genway.diffusion.schedulers;

/** How the per-step noise variances β grow over training ({@code beta_schedule} in diffusers). */
public enum BetaSchedule {
    /** {@code linspace(beta_start, beta_end, N)}: the DDPM paper. */
    LINEAR,
    /** {@code linspace(sqrt(beta_start), sqrt(beta_end), N) ** 2}: Stable Diffusion and other latent models. */
    SCALED_LINEAR,
    /** The cosine schedule of improved DDPM (Nichol and Dhariwal), β capped at 0.999; ignores start and end. */
    SQUAREDCOS_CAP_V2;

    private static final double MAX_BETA = 0.999;
    private static final int LANES = 8;

    /** The N betas in float32, as diffusers computes them. */
    float[] betas(int trainTimesteps, double betaStart, double betaEnd) {
        return switch (this) {
            case LINEAR -> linspace(betaStart, betaEnd, trainTimesteps);
            case SCALED_LINEAR -> {
                float[] roots = linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), trainTimesteps);
                for (int i = 0; i < roots.length; i++) roots[i] = roots[i] * roots[i];
                yield roots;
            }
            case SQUAREDCOS_CAP_V2 -> {
                float[] betas = new float[trainTimesteps];
                for (int i = 0; i < trainTimesteps; i++) {
                    double ratio = alphaBar((i + 1) / (double) trainTimesteps) / alphaBar(i / (double) trainTimesteps);
                    betas[i] = (float) Math.min(1 - ratio, MAX_BETA);
                }
                yield betas;
            }
        };
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * torch's float32 {@code linspace} as its AVX2 CPU kernel computes it, which the golden ᾱ values pin down:
     * 16 elements at a time as two 8-lane vectors {@code base + k * step}, each base taken from the start (first
     * half) or back from the end (second half) at the vector's first index; a remainder under 16 goes one element
     * at a time by the same halfway rule.
     */
    private static float[] linspace(double start, double end, int n) {
        float from = (float) start;
        float to = (float) end;
        float step = (to - from) / (n - 1);
        int halfway = n / 2;
        float[] out = new float[n];
        int i = 0;
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            for (int lane0 = i; lane0 < i + 2 * LANES; lane0 += LANES) {
                float base = lane0 < halfway ? from + step * lane0 : to - step * (n - 1 - lane0);
                for (int k = 0; k < LANES; k++) out[lane0 + k] = base + k * step;
            }
        }
        for (; i < n; i++) out[i] = i < halfway ? from + step * i : to - step * (n - 1 - i);
        return out;
    }
}
