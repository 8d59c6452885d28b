package io.genway.schemas;

import java.util.Objects;

/** A diffusion request's input. Sizes are in pixels; {@code n} images share the prompt and take seeds seed, seed+1, ... */
public record ImageInput(
        String prompt,
        String negativePrompt,
        int n,
        int width,
        int height,
        int steps,
        double guidanceScale) {

    public static final int MAX_N = 8;
    public static final int MAX_SIDE = 2048;
    public static final int MAX_STEPS = 500;

    public ImageInput {
        Objects.requireNonNull(prompt, "prompt");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (n < 1 || n > MAX_N) throw new IllegalArgumentException("n must be in [1, " + MAX_N + "], was " + n);
        if (width < 8 || width > MAX_SIDE || width % 8 != 0) throw new IllegalArgumentException("width must be a multiple of 8 in [8, " + MAX_SIDE + "], was " + width);
        if (height < 8 || height > MAX_SIDE || height % 8 != 0) throw new IllegalArgumentException("height must be a multiple of 8 in [8, " + MAX_SIDE + "], was " + height);
        if (steps < 1 || steps > MAX_STEPS) throw new IllegalArgumentException("steps must be in [1, " + MAX_STEPS + "], was " + steps);
        if (!(guidanceScale >= 0 && guidanceScale <= 50)) throw new IllegalArgumentException("guidance_scale must be in [0, 50], was " + guidanceScale);
    }

    public String size() {
        return width + "x" + height;
    }
}
