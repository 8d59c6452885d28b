package io.genway.diffusion.nn;

/**
 * {@code torch.nn.Linear}: {@code y = x Wᵀ + b} over the rows of x. The checkpoint's (out, in) weight is transposed
 * once at load to (in, out), so the product streams along output features, which is what the GEMM vectorises.
 */
public final class Linear {
    private final int in;
    private final int out;
    private final float[] weightT; // (in, out)
    private final float[] bias; // (out), or null

    /** {@code weight} in the checkpoint's (out, in) layout; {@code bias} may be null. */
    public Linear(int out, int in, float[] weight, float[] bias) {
        if (weight.length != out * in) {
            throw new IllegalArgumentException("linear weight has " + weight.length + " floats, not " + out + "x" + in);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("linear bias has " + bias.length + " floats, not " + out);
        }
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.weightT = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) weightT[i * out + o] = weight[o * in + i];
        }
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** x: (rows, in) → (rows, out). */
    public float[] forward(float[] x, int rows) {
        if (x.length != rows * in) {
            throw new IllegalArgumentException("linear expects " + rows + "x" + in + " inputs, got " + x.length);
        }
        float[] y = new float[rows * out];
        if (bias != null) {
            for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, y, r * out, out);
        }
        Gemm.multiplyParallel(rows, out, in, x, 0, in, weightT, 0, out, y, 0, out, bias != null);
        return y;
    }

    public Tokens forward(Tokens x) {
        return new Tokens(x.batch(), x.length(), out, forward(x.data(), x.rows()));
    }
}
