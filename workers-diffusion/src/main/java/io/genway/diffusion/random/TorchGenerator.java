package io.genway.diffusion.random;

/**
 * PyTorch's CPU {@code torch.Generator}: {@code TorchGenerator.seeded(s).randn(n)} gives the floats of
 * {@code torch.manual_seed(s); torch.randn(n)} (any shape with {@code n} elements, float32, contiguous), so that a
 * seed here denoises to the same image as the same seed in a diffusers pipeline on CPU.
 *
 * <p>torch takes two different paths. Tensors of 16 or more elements are filled with 24-bit uniforms, then turned
 * into normals by Box-Muller over blocks of 16 (first 8 as radii, last 8 as angles); a tail that does not fill a
 * block is redrawn as one last block of 16 over the final elements. Smaller tensors draw one double-precision
 * normal per element, each Box-Muller pair yielding two: the second is kept in the generator and handed out by the
 * next small draw, even one in a later call. torch vectorises the large path with AVX2 approximations of
 * log/sin/cos, so values agree to a few float ulps (|diff| up to 2.4e-7 measured), not bit for bit.
 *
 * <p>Not thread-safe: one generator belongs to one run.
 */
public final class TorchGenerator implements NoiseSource {
    private static final int BLOCK = 16;
    private static final float FLOAT_UNIT = 0x1.0p-24f;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private Mt19937 engine;
    private double cachedNormal;
    private boolean hasCachedNormal;

    private TorchGenerator(long seed) {
        manualSeed(seed);
    }

    public static TorchGenerator seeded(long seed) {
        return new TorchGenerator(seed);
    }

    /** Restarts the stream as {@code torch.manual_seed(seed)} does, dropping any cached normal. */
    public void manualSeed(long seed) {
        engine = new Mt19937(seed);
        hasCachedNormal = false;
    }

    @Override
    public float[] randn(int count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, was " + count);
        float[] out = new float[count];
        if (count >= BLOCK) fillInBlocks(out);
        else for (int i = 0; i < count; i++) out[i] = (float) nextDoubleNormal();
        return out;
    }

    private void fillInBlocks(float[] out) {
        int n = out.length;
        for (int i = 0; i < n; i++) out[i] = nextFloatUniform();
        for (int start = 0; start + BLOCK <= n; start += BLOCK) boxMuller16(out, start);
        if (n % BLOCK != 0) {
            int start = n - BLOCK;
            for (int i = start; i < n; i++) out[i] = nextFloatUniform();
            boxMuller16(out, start);
        }
    }

    /** torch's {@code normal_fill_16}: uniforms at [start, start+8) give radii, those at [start+8, start+16) angles. */
    private static void boxMuller16(float[] data, int start) {
        for (int j = 0; j < BLOCK / 2; j++) {
            float u1 = 1 - data[start + j]; // [0, 1) -> (0, 1] so the log is finite
            float u2 = data[start + j + BLOCK / 2];
            float radius = (float) Math.sqrt((float) (-2 * (float) Math.log(u1)));
            float theta = (float) (2.0 * Math.PI * u2);
            data[start + j] = (float) (radius * (float) Math.cos(theta));
            data[start + j + BLOCK / 2] = (float) (radius * (float) Math.sin(theta));
        }
    }

    /** torch's scalar {@code normal_distribution<double>}: u1 picks the angle, u2 the radius; the sine is cached. */
    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDoubleUniform();
        double u2 = nextDoubleUniform();
        double radius = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = radius * Math.sin(theta);
        hasCachedNormal = true;
        return radius * Math.cos(theta);
    }

    private float nextFloatUniform() {
        return (engine.nextInt() & 0xFFFFFF) * FLOAT_UNIT;
    }

    /** Two 32-bit draws, the first as the high word, masked to 53 bits. */
    private double nextDoubleUniform() {
        long high = Integer.toUnsignedLong(engine.nextInt());
        long low = Integer.toUnsignedLong(engine.nextInt());
        return (((high << 32) | low) & ((1L << 53) - 1)) * DOUBLE_UNIT;
    }
}
