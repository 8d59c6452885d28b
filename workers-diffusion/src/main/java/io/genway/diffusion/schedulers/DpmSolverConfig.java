package io.genway.diffusion.schedulers;

/**
 * {@code DPMSolverMultistepScheduler}'s config with {@code algorithm_type="dpmsolver++"} (data prediction; Lu et
 * al. 2022). Defaults: {@link NoiseSchedule#DEFAULT}, order 2, epsilon, no thresholding, midpoint, lower order at
 * the end, interpolated σ, final σ 0, linspace spacing, no offset.
 *
 * @param thresholding {@link SampleClipping#OFF} or a {@link SampleClipping.DynamicThreshold} (diffusers has no
 *     plain clipping here)
 * @param lowerOrderFinal first order on the last step (and second order on the one before) for runs under 15
 *     steps, which keeps few-step runs stable
 * @param eulerAtFinal first order on the last step whatever the run's length
 */
public record DpmSolverConfig(
        NoiseSchedule noise,
        int solverOrder,
        PredictionType predictionType,
        SampleClipping thresholding,
        SolverType solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        SigmaSpacing sigmaSpacing,
        boolean finalSigmaZero,
        TimestepSpacing timestepSpacing,
        int stepsOffset) {

    public static final DpmSolverConfig DEFAULT = new DpmSolverConfig(NoiseSchedule.DEFAULT, 2, PredictionType.EPSILON,
            SampleClipping.OFF, SolverType.MIDPOINT, true, false, SigmaSpacing.INTERPOLATED, true,
            TimestepSpacing.LINSPACE, 0);

    /** How the second-order update uses the previous output ({@code solver_type}). */
    public enum SolverType { MIDPOINT, HEUN }

    /** Where the run's σ come from ({@code use_karras_sigmas}, {@code use_lu_lambdas}). */
    public enum SigmaSpacing {
        /** The training σ at the spaced timesteps. */
        INTERPOLATED,
        /** Karras et al. ρ = 7 spacing between the training σ extremes; timesteps rounded back from σ. */
        KARRAS,
        /** Uniform in log-SNR λ = -log σ (Lu et al., "DPM-Solver++" appendix); timesteps rounded back from σ. */
        LU_LAMBDAS
    }

    public DpmSolverConfig {
        if (noise == null) throw new IllegalArgumentException("noise must not be null");
        if (solverOrder < 1 || solverOrder > 3) {
            throw new IllegalArgumentException("solverOrder must be 1, 2 or 3, was " + solverOrder);
        }
        if (predictionType == null) throw new IllegalArgumentException("predictionType must not be null");
        if (!(thresholding instanceof SampleClipping.Off || thresholding instanceof SampleClipping.DynamicThreshold)) {
            throw new IllegalArgumentException("thresholding must be OFF or a DynamicThreshold, was " + thresholding);
        }
        if (solverType == null) throw new IllegalArgumentException("solverType must not be null");
        if (sigmaSpacing == null) throw new IllegalArgumentException("sigmaSpacing must not be null");
        if (timestepSpacing == null) throw new IllegalArgumentException("timestepSpacing must not be null");
        if (stepsOffset < 0) throw new IllegalArgumentException("stepsOffset must be >= 0, was " + stepsOffset);
    }

    public DpmSolverConfig withPredictionType(PredictionType type) {
        return new DpmSolverConfig(noise, solverOrder, type, thresholding, solverType, lowerOrderFinal, eulerAtFinal,
                sigmaSpacing, finalSigmaZero, timestepSpacing, stepsOffset);
    }

    public DpmSolverConfig withThresholding(SampleClipping clipping) {
        return new DpmSolverConfig(noise, solverOrder, predictionType, clipping, solverType, lowerOrderFinal,
                eulerAtFinal, sigmaSpacing, finalSigmaZero, timestepSpacing, stepsOffset);
    }

    public DpmSolverConfig withSolver(int order, SolverType type) {
        return new DpmSolverConfig(noise, order, predictionType, thresholding, type, lowerOrderFinal, eulerAtFinal,
                sigmaSpacing, finalSigmaZero, timestepSpacing, stepsOffset);
    }

    public DpmSolverConfig withFinalSteps(boolean lowerOrder, boolean euler, boolean sigmaZero) {
        return new DpmSolverConfig(noise, solverOrder, predictionType, thresholding, solverType, lowerOrder, euler,
                sigmaSpacing, sigmaZero, timestepSpacing, stepsOffset);
    }

    public DpmSolverConfig withSigmaSpacing(SigmaSpacing spacing) {
        return new DpmSolverConfig(noise, solverOrder, predictionType, thresholding, solverType, lowerOrderFinal,
                eulerAtFinal, spacing, finalSigmaZero, timestepSpacing, stepsOffset);
    }

    Sigmas.Final finalSigma() {
        return finalSigmaZero ? Sigmas.Final.ZERO : Sigmas.Final.SIGMA_MIN;
    }
}
