package io.genway.diffusion.nn;

/**
 * diffusers' sinusoidal timestep projection ({@code get_timestep_embedding}): frequency i of {@code dim / 2} is
 * {@code exp(-ln(10000) · i / (dim/2 − freqShift))}; the embedding is [sin, cos] of t × frequency, or [cos, sin]
 * with {@code flipSinToCos}. Computed in float, as diffusers does.
 */
public final class Timesteps {
    private static final double MAX_PERIOD = 10000;

    private Timesteps() {}

    /** (timesteps.length, dim). */
    public static float[] project(float[] timesteps, int dim, boolean flipSinToCos, double freqShift) {
        int half = dim / 2;
        float[] out = new float[timesteps.length * dim];
        for (int n = 0; n < timesteps.length; n++) {
            for (int i = 0; i < half; i++) {
                float exponent = (float) (-Math.log(MAX_PERIOD) * i);
                float frequency = (float) Math.exp(exponent / (float) (half - freqShift));
                float angle = timesteps[n] * frequency;
                float sin = (float) Math.sin(angle);
                float cos = (float) Math.cos(angle);
                out[n * dim + i] = flipSinToCos ? cos : sin;
                out[n * dim + half + i] = flipSinToCos ? sin : cos;
            }
        }
        return out;
    }
}
