package io.genway.diffusion.pipeline;

import java.util.Arrays;

/**
 * A linear map from a sample's channels to RGB in about [-1, 1], position by position: a cheap look at a latent at
 * latent resolution, with no VAE decoder pass, for previews while a run goes on.
 *
 * @param factors (channels, 3): row l holds what latent channel l adds to R, G and B
 */
public record LatentRgb(int channels, float[] factors) {

    /**
     * Stable Diffusion 1.x/2.x's KL-f8 latents (the four channels as the sampler holds them, already multiplied by the
     * VAE's {@code scaling_factor} 0.18215). The factors are the least-squares fit published by Kevin Turner
     * (keturn) for SD v1.4, "Decoding latents to RGB without upscaling", discuss.huggingface.co/t/23204; ComfyUI's
     * first latent previews used the same numbers ({@code comfy/latent_formats.py}, class SD15). SD 2.x decodes with
     * the same VAE. A little undersaturated next to the real decoder, by its author's account.
     */
    public static final LatentRgb STABLE_DIFFUSION = new LatentRgb(4, new float[] {
            //  R       G       B
            0.298f, 0.207f, 0.208f,    // latent channel 0
            0.187f, 0.286f, 0.173f,    // 1
            -0.158f, 0.189f, 0.264f,   // 2
            -0.184f, -0.271f, -0.473f, // 3
    });

    public LatentRgb {
        if (channels < 1) throw new IllegalArgumentException("channels must be >= 1, was " + channels);
        if (factors.length != channels * 3) {
            throw new IllegalArgumentException("factors must hold channels x 3 = " + channels * 3 + " values, holds "
                    + factors.length);
        }
        factors = factors.clone();
    }

    @Override
    public float[] factors() {
        return factors.clone();
    }

    /** (channels, height, width) to (3, height, width). */
    public float[] apply(float[] sample, int channels, int height, int width) {
        if (channels != this.channels) {
            throw new IllegalArgumentException("this map takes " + this.channels + " latent channels, the sample has "
                    + channels);
        }
        int plane = height * width;
        if (sample.length != channels * plane) {
            throw new IllegalArgumentException("a (" + channels + ", " + height + ", " + width + ") sample has "
                    + channels * plane + " values, not " + sample.length);
        }
        float[] rgb = new float[3 * plane];
        for (int l = 0; l < channels; l++) {
            for (int c = 0; c < 3; c++) {
                float f = factors[l * 3 + c];
                for (int p = 0; p < plane; p++) rgb[c * plane + p] += f * sample[l * plane + p];
            }
        }
        return rgb;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatentRgb other && channels == other.channels && Arrays.equals(factors, other.factors);
    }

    @Override
    public int hashCode() {
        return 31 * channels + Arrays.hashCode(factors);
    }

    @Override
    public String toString() {
        return "LatentRgb[channels=" + channels + ", factors=" + Arrays.toString(factors) + "]";
    }
}
