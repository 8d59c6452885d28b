package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * DPM-Solver++ multistep (Lu et al. 2022; diffusers' {@code DPMSolverMultistepScheduler} with
 * {@code algorithm_type="dpmsolver++"}): an exponential-integrator ODE solver on the data prediction that reuses the
 * previous steps' x0 estimates for orders 2 and 3, one model call per step. Deterministic: never draws noise.
 * Works in unscaled variance-preserving space: {@code initNoiseSigma} 1, {@code scaleModelInput} the identity.
 */
public final class DpmSolverScheduler implements Scheduler {
    private final DpmSolverConfig config;
    private final float[] alphasCumprod;
    private SigmaPlan plan;
    private int stepIndex = -1;
    /** The last {@code solverOrder} x0 estimates, newest last. */
    private float[][] history;
    private int lowerOrderSteps;

    public DpmSolverScheduler(DpmSolverConfig config) {
        if (config == null) throw new IllegalArgumentException("config must not be null");
        this.config = config;
        this.alphasCumprod = config.noise().alphasCumprodForSigmas();
    }

    @Override
    public double[] setTimesteps(int steps) {
        int n = config.noise().trainTimesteps();
        if (steps < 1 || steps >= n) throw new IllegalArgumentException("steps must be in [1, " + n + "), was " + steps);
        plan = DpmSolverPlan.of(config, alphasCumprod, steps);
        stepIndex = -1;
        history = new float[config.solverOrder()][];
        lowerOrderSteps = 0;
        return plan.timestepsAsDoubles();
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public float[] scaleModelInput(float[] sample, double timestep) {
        return sample;
    }

    @Override
    public StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise) {
        VariancePreserving.requireSameLength(sample, modelOutput, "modelOutput");
        if (plan == null) throw new IllegalStateException("setTimesteps must be called first");
        if (stepIndex < 0) stepIndex = startIndex(timestep);
        if (stepIndex >= plan.timesteps().length) throw new IllegalStateException("the planned run is over");

        int steps = plan.timesteps().length;
        boolean lastStep = stepIndex == steps - 1;
        boolean shortRun = config.lowerOrderFinal() && steps < 15;
        // σ = 0 at the end makes λ infinite: only the first-order update stays finite there
        boolean firstOrderFinal = lastStep && (config.eulerAtFinal() || shortRun || config.finalSigmaZero());
        boolean secondOrderFinal = stepIndex == steps - 2 && shortRun;

        float[] x0 = dataPrediction(modelOutput, sample, batch);
        System.arraycopy(history, 1, history, 0, history.length - 1);
        history[history.length - 1] = x0;

        DpmSolverUpdate update = new DpmSolverUpdate(plan.sigmas(), stepIndex, config.solverType());
        float[] prev;
        if (config.solverOrder() == 1 || lowerOrderSteps < 1 || firstOrderFinal) {
            prev = update.firstOrder(sample, x0);
        } else if (config.solverOrder() == 2 || lowerOrderSteps < 2 || secondOrderFinal) {
            prev = update.secondOrder(sample, history[history.length - 1], history[history.length - 2]);
        } else {
            prev = update.thirdOrder(sample, history[2], history[1], history[0]);
        }
        if (lowerOrderSteps < config.solverOrder()) lowerOrderSteps++;
        stepIndex++;
        return new StepResult(prev, x0);
    }

    /** α(σ) x + s(σ) noise at the planned position of {@code timestep}. */
    @Override
    public float[] addNoise(float[] original, float[] noise, double timestep) {
        VariancePreserving.requireSameLength(original, noise, "noise");
        if (plan == null) throw new IllegalStateException("setTimesteps must be called first");
        float sigma = plan.sigmas()[startIndex(timestep)];
        float alpha = DpmSolverUpdate.alpha(sigma);
        float scaledSigma = sigma * alpha;
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = alpha * original[i] + scaledSigma * noise[i];
        return out;
    }

    float[] sigmas() {
        return plan.sigmas().clone();
    }

    /** diffusers' {@code convert_model_output} for dpmsolver++: x0 from the model output, then thresholding. */
    private float[] dataPrediction(float[] modelOutput, float[] sample, int batch) {
        float sigma = plan.sigmas()[stepIndex];
        float alpha = DpmSolverUpdate.alpha(sigma);
        float scaledSigma = sigma * alpha;
        float[] x0 = new float[sample.length];
        for (int i = 0; i < x0.length; i++) {
            x0[i] = switch (config.predictionType()) {
                case EPSILON -> (sample[i] - scaledSigma * modelOutput[i]) / alpha;
                case SAMPLE -> modelOutput[i];
                case V_PREDICTION -> alpha * sample[i] - scaledSigma * modelOutput[i];
            };
        }
        config.thresholding().apply(x0, batch);
        return x0;
    }

    /** The planned position of {@code timestep}: the second if it repeats; the last step if it is not planned. */
    private int startIndex(double timestep) {
        float[] timesteps = plan.timesteps();
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == timestep) {
                if (first >= 0) return i;
                first = i;
            }
        }
        return first >= 0 ? first : timesteps.length - 1;
    }
}
