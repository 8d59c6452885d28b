package io.genway.diffusion.schedulers;

/**
 * diffusers' scheduler test harness (tests/schedulers/test_schedulers.py), reproduced: a deterministic 4x3x8x8
 * sample and noise, and a dummy model {@code x * t / (t + 1)} in float32.
 */
final class DiffusersHarness {
    static final int BATCH = 4;
    static final int CHANNELS = 3;
    static final int SIDE = 8;
    static final int SIZE = BATCH * CHANNELS * SIDE * SIDE;

    private DiffusersHarness() {}

    /** {@code arange(768).reshape(3, 8, 8, 4).permute(3, 0, 1, 2) / 768}, flattened (b, c, h, w). */
    static float[] sample() {
        float[] out = new float[SIZE];
        for (int b = 0; b < BATCH; b++)
            for (int c = 0; c < CHANNELS; c++)
                for (int h = 0; h < SIDE; h++)
                    for (int w = 0; w < SIDE; w++) out[index(b, c, h, w)] = (float) source(b, c, h, w) / SIZE;
        return out;
    }

    /** The same arrangement of {@code (767 - k) / 768}. */
    static float[] noise() {
        float[] out = new float[SIZE];
        for (int b = 0; b < BATCH; b++)
            for (int c = 0; c < CHANNELS; c++)
                for (int h = 0; h < SIDE; h++)
                    for (int w = 0; w < SIDE; w++) out[index(b, c, h, w)] = (float) (SIZE - 1 - source(b, c, h, w)) / SIZE;
        return out;
    }

    static float[] model(float[] sample, double timestep) {
        float t = (float) timestep;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sample[i] * t / (t + 1);
        return out;
    }

    static float[] scale(float[] sample, float factor) {
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) out[i] = sample[i] * factor;
        return out;
    }

    static double absSum(float[] x) {
        double sum = 0;
        for (float v : x) sum += Math.abs(v);
        return sum;
    }

    static double absMean(float[] x) {
        return absSum(x) / x.length;
    }

    static float[] first4(float[] x) {
        return java.util.Arrays.copyOf(x, 4);
    }

    private static int source(int b, int c, int h, int w) {
        return c * 256 + h * 32 + w * 4 + b;
    }

    private static int index(int b, int c, int h, int w) {
        return ((b * CHANNELS + c) * SIDE + h) * SIDE + w;
    }
}
