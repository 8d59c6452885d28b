package io.genway.diffusion.schedulers;

import io.genway.diffusion.random.NoiseSource;

/**
 * A diffusion sampler with diffusers' semantics. Samples are flattened float32 tensors of shape
 * (batch, channels, height, width), row-major.
 *
 * <p>A run is: {@link #setTimesteps}; start from unit Gaussian noise times {@link #initNoiseSigma}; then for each
 * planned timestep t, call the model on {@link #scaleModelInput}(x, t) and pass its output with the unscaled x to
 * {@link #step}. Schedulers keep per-run state (the step index, multistep history), so an instance belongs to one
 * run on one thread; {@link #setTimesteps} starts a new run.
 */
public interface Scheduler {
    /** Plans a run of {@code steps} model calls and returns the timesteps to visit, noisiest first. */
    double[] setTimesteps(int steps);

    /** The standard deviation the starting noise must have (1 for variance-preserving schedulers). */
    float initNoiseSigma();

    /** What the model should be given at {@code timestep}: the sample itself unless the scheduler rescales it. */
    float[] scaleModelInput(float[] sample, double timestep);

    /**
     * One denoising step from {@code timestep} to the next planned one.
     *
     * @param modelOutput the model's output for this timestep: the sample's shape, or twice its channels when the
     *     model also predicts its variance (DDPM {@code learned_range})
     * @param batch how many items {@code sample} holds; thresholding and learned variance work per item
     * @param noise drawn from only by stochastic schedulers, exactly as often as diffusers draws from its generator
     */
    StepResult step(float[] modelOutput, double timestep, float[] sample, int batch, NoiseSource noise);

    /** The forward process: {@code original} noised to the level of {@code timestep} (img2img, inpainting). */
    float[] addNoise(float[] original, float[] noise, double timestep);
}
