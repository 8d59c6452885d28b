package io.genway.diffusion.schedulers;

/**
 * What the samplers in σ space share (Euler and Euler ancestral): a {@link SigmaPlan} per run, the step the run is
 * at (found from the first timestep it is given, as diffusers' {@code _init_step_index} does), the model input
 * scaled to x / sqrt(σ² + 1), and noise added at a timestep's σ. A subclass plans its run and takes its steps.
 */
abstract sealed class SigmaStepper implements Scheduler permits EulerScheduler, EulerAncestralScheduler {
    private final NoiseSchedule noise;
    private final TimestepSpacing spacing;
    final float[] alphasCumprod;
    private SigmaPlan plan;
    private int stepIndex = -1;

    SigmaStepper(NoiseSchedule noise, TimestepSpacing spacing) {
        this.noise = noise;
        this.spacing = spacing;
        this.alphasCumprod = noise.alphasCumprodForSigmas();
    }

    /** The run's σ and timestep plan for {@code steps} steps. */
    abstract SigmaPlan plan(int steps);

    @Override
    public final double[] setTimesteps(int steps) {
        int n = noise.trainTimesteps();
        if (steps < 1 || steps > n) throw new IllegalArgumentException("steps must be in [1, " + n + "], was " + steps);
        plan = plan(steps);
        stepIndex = -1;
        return plan.timestepsAsDoubles();
    }

    @Override
    public final float initNoiseSigma() {
        return plan().initNoiseSigma(spacing);
    }

    @Override
    public final float[] scaleModelInput(float[] sample, double timestep) {
        startAt(timestep);
        return plan.scaleInput(sample, stepIndex);
    }

    @Override
    public final float[] addNoise(float[] original, float[] noise, double timestep) {
        return plan().addNoise(original, noise, timestep);
    }

    /** The σ schedule of the planned run, its final σ included. */
    final float[] sigmas() {
        return plan().sigmas();
    }

    /** The index of the step {@code timestep} begins (the run's next one), after checking the run is not over. */
    final int startAt(double timestep) {
        if (plan().timesteps().length <= stepIndex) throw new IllegalStateException("the planned run is over");
        if (stepIndex < 0) stepIndex = plan.indexOf(timestep);
        return stepIndex;
    }

    /** Moves on to the next step, once a step's result is computed. */
    final void advance() {
        stepIndex++;
    }

    private SigmaPlan plan() {
        if (plan == null) throw new IllegalStateException("setTimesteps must be called first");
        return plan;
    }
}
