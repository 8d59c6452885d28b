package io.genway.diffusion.schedulers;

/**
 * Which training timesteps an inference run of n steps visits ({@code timestep_spacing} in diffusers; Table 2 of
 * Lin et al., "Common Diffusion Noise Schedules and Sample Steps are Flawed"). All results run from noisy to clean.
 */
public enum TimestepSpacing {
    /** {@code round(linspace(0, T-1, n))}, reversed: starts at the last training step. */
    LINSPACE,
    /** {@code arange(n) * (T // n) + steps_offset}, reversed: never reaches the last training step. */
    LEADING,
    /** {@code round(arange(T, 0, -T/n)) - 1}: starts at the last training step, ends one ratio above zero. */
    TRAILING;

    /** Integer timesteps, as DDPM and DDIM use them; {@code stepsOffset} counts for {@link #LEADING} only. */
    int[] integerTimesteps(int trainTimesteps, int steps, int stepsOffset) {
        double[] raw = switch (this) {
            case LINSPACE -> reversed(numpyLinspace(0, trainTimesteps - 1, steps));
            case LEADING -> leading(trainTimesteps / steps, steps, stepsOffset);
            case TRAILING -> trailing(trainTimesteps, steps);
        };
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = (int) Math.rint(raw[i]);
        return out;
    }

    /**
     * Float32 timesteps, as the Euler schedulers use them: {@link #LINSPACE} is not rounded there, so the model sees
     * fractional timesteps.
     */
    float[] fractionalTimesteps(int trainTimesteps, int steps, int stepsOffset) {
        double[] raw = switch (this) {
            case LINSPACE -> reversed(numpyLinspace(0, trainTimesteps - 1, steps));
            case LEADING -> leading(trainTimesteps / steps, steps, stepsOffset);
            case TRAILING -> trailing(trainTimesteps, steps);
        };
        float[] out = new float[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = (float) raw[i];
        return out;
    }

    /**
     * DPM-Solver's variant: n+1 points with the final (t = 0) one dropped, so the run ends one interval above zero
     * and the last step lands on the final sigma instead.
     */
    int[] multistepTimesteps(int trainTimesteps, int steps, int stepsOffset) {
        double[] raw = switch (this) {
            case LINSPACE -> dropLast(reversed(rint(numpyLinspace(0, trainTimesteps - 1, steps + 1))));
            case LEADING -> dropLast(leading(trainTimesteps / (steps + 1), steps + 1, stepsOffset));
            case TRAILING -> trailing(trainTimesteps, steps);
        };
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) out[i] = (int) Math.rint(raw[i]);
        return out;
    }

    private static double[] leading(int ratio, int count, int stepsOffset) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = (double) (count - 1 - i) * ratio + stepsOffset;
        return out;
    }

    /** numpy's {@code round(arange(T, 0, -T/n)) - 1}. */
    private static double[] trailing(int trainTimesteps, int steps) {
        double ratio = trainTimesteps / (double) steps;
        int count = (int) Math.ceil(trainTimesteps / ratio);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) out[i] = Math.rint(trainTimesteps - i * ratio) - 1;
        return out;
    }

    /** numpy's float64 {@code linspace}: {@code start + i * step}, the last point exactly {@code stop}. */
    static double[] numpyLinspace(double start, double stop, int count) {
        double[] out = new double[count];
        if (count == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++) out[i] = i * step + start;
        out[count - 1] = stop;
        return out;
    }

    private static double[] rint(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Math.rint(values[i]);
        return out;
    }

    private static double[] reversed(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[values.length - 1 - i];
        return out;
    }

    private static double[] dropLast(double[] values) {
        return java.util.Arrays.copyOf(values, values.length - 1);
    }
}
