package io.genway.diffusion.pipeline;

/**
 * Turns a finished sample into pixels in [-1, 1]: a VAE decoder for latent models, or nothing at all for models
 * that denoise pixels directly ({@link #PIXELS}). Implementations must be safe to call from several threads at once.
 */
public interface LatentDecoder {
    /** For models without a {@code vae}: the sample is the image. */
    LatentDecoder PIXELS = new LatentDecoder() {
        @Override
        public int scaleFactor() {
            return 1;
        }

        @Override
        public float[] decode(float[] sample, int channels, int height, int width) {
            if (channels != 3) {
                throw new IllegalArgumentException("a pixel-space model must make 3 channels, makes " + channels);
            }
            return sample;
        }

        @Override
        public float[] preview(float[] sample, int channels, int height, int width) {
            return decode(sample, channels, height, width);
        }
    };

    /** Pixels per sample position along each side (8 for Stable Diffusion's VAE). */
    int scaleFactor();

    /**
     * One image: {@code sample} (channels, height, width) as the sampler left it (a VAE decoder divides by its
     * scaling factor itself) to (3, height * scaleFactor, width * scaleFactor) in about [-1, 1].
     */
    float[] decode(float[] sample, int channels, int height, int width);

    /**
     * A cheap stand-in for {@link #decode}, for previews while a run goes on: {@code sample} (channels, height, width)
     * to (3, height, width) in about [-1, 1], at sample resolution and without the decoder's network. The default
     * maps Stable Diffusion 1.x/2.x latents linearly ({@link LatentRgb#STABLE_DIFFUSION}); a decoder of another latent
     * space overrides it.
     */
    default float[] preview(float[] sample, int channels, int height, int width) {
        return LatentRgb.STABLE_DIFFUSION.apply(sample, channels, height, width);
    }
}
