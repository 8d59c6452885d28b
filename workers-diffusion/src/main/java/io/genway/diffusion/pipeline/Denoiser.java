package io.genway.diffusion.pipeline;

/**
 * The text-conditioned noise predictor (a {@code UNet2DConditionModel}). Rows of a batch are independent: the
 * output for one row must not depend on the others, so that an image does not change when batched.
 * Implementations must be safe to call from several threads at once.
 */
public interface Denoiser {
    /** Channels of the sample it takes ({@code in_channels}). */
    int channels();

    /**
     * The model output for each row: (rows, outChannels, height, width), where outChannels is {@link #channels()}
     * or twice that for a model that also predicts its variance.
     *
     * @param sample    (rows, channels, height, width), already scaled by the scheduler
     * @param timesteps one per row; rows may sit at different timesteps
     * @param context   (rows, tokens, width): each row's prompt states
     */
    float[] predict(float[] sample, int rows, int height, int width, float[] timesteps, float[] context, int tokens);
}
