package io.genway.diffusion.schedulers;

/** DPM-Solver's plan: integer timesteps (n+1 spaced points, last dropped) and their σ, with σ spacing variants. */
final class DpmSolverPlan {
    private DpmSolverPlan() {}

    static SigmaPlan of(DpmSolverConfig config, float[] alphasCumprod, int steps) {
        int n = alphasCumprod.length;
        float[] trainingSigmas = Sigmas.training(alphasCumprod);
        float[] logSigmas = Sigmas.logs(trainingSigmas);
        int[] spaced = config.timestepSpacing().multistepTimesteps(n, steps, config.stepsOffset());
        double[] sigmas;
        double[] timesteps;
        switch (config.sigmaSpacing()) {
            case INTERPOLATED -> {
                timesteps = new double[spaced.length];
                sigmas = new double[spaced.length];
                for (int i = 0; i < spaced.length; i++) {
                    timesteps[i] = spaced[i];
                    sigmas[i] = Sigmas.interpolate(spaced[i], trainingSigmas);
                }
            }
            case KARRAS -> {
                sigmas = Sigmas.karras(trainingSigmas[0], trainingSigmas[n - 1], steps);
                timesteps = backToTimesteps(sigmas, logSigmas, config);
            }
            case LU_LAMBDAS -> {
                // λ here is log σ, spaced uniformly from the largest to the smallest
                double[] ramp = TimestepSpacing.numpyLinspace(0, 1, steps);
                double lambdaMax = logSigmas[n - 1];
                double lambdaMin = logSigmas[0];
                sigmas = new double[steps];
                for (int i = 0; i < steps; i++) sigmas[i] = Math.exp(lambdaMax + ramp[i] * (lambdaMin - lambdaMax));
                timesteps = backToTimesteps(sigmas, logSigmas, config);
            }
            default -> throw new IllegalStateException("unknown sigma spacing " + config.sigmaSpacing());
        }
        float[] asInt = new float[timesteps.length];
        for (int i = 0; i < asInt.length; i++) asInt[i] = (long) timesteps[i]; // numpy's astype(int64) truncates
        return new SigmaPlan(asInt, SigmaPlan.withFinal(sigmas, config.finalSigma().value(alphasCumprod)));
    }

    /** Fractional timesteps for σ, rounded half to even except for the cosine schedule, as diffusers does. */
    private static double[] backToTimesteps(double[] sigmas, float[] logSigmas, DpmSolverConfig config) {
        boolean round = config.noise().betaSchedule() != BetaSchedule.SQUAREDCOS_CAP_V2;
        double[] timesteps = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            double t = Sigmas.timestep(sigmas[i], logSigmas);
            timesteps[i] = round ? Math.rint(t) : t;
        }
        return timesteps;
    }
}
