package io.genway.schemas;

import java.util.Objects;

/**
 * A diffusion request's input. Sizes are in pixels; {@code n} images share the prompt and take seeds seed, seed+1, ...
 *
 * @param partialImages how many previews of the image in progress the client wants (OpenAI's {@code partial_images}),
 *     spread evenly over the steps; 0, the default and what a record written before the field existed decodes to,
 *     for none. Only a request of one image may ask: a progress event carries one preview.
 */
public record ImageInput(
        String prompt,
        String negativePrompt,
        int n,
        int width,
        int height,
        int steps,
        double guidanceScale,
        int partialImages) {

    public static final int MAX_N = 8;
    public static final int MAX_SIDE = 2048;
    public static final int MAX_STEPS = 500;
    public static final int MAX_PARTIAL_IMAGES = 3;

    public ImageInput {
        Objects.requireNonNull(prompt, "prompt");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        if (n < 1 || n > MAX_N) throw new IllegalArgumentException("n must be in [1, " + MAX_N + "], was " + n);
        if (width < 8 || width > MAX_SIDE || width % 8 != 0) throw new IllegalArgumentException("width must be a multiple of 8 in [8, " + MAX_SIDE + "], was " + width);
        if (height < 8 || height > MAX_SIDE || height % 8 != 0) throw new IllegalArgumentException("height must be a multiple of 8 in [8, " + MAX_SIDE + "], was " + height);
        if (steps < 1 || steps > MAX_STEPS) throw new IllegalArgumentException("steps must be in [1, " + MAX_STEPS + "], was " + steps);
        if (!(guidanceScale >= 0 && guidanceScale <= 50)) throw new IllegalArgumentException("guidance_scale must be in [0, 50], was " + guidanceScale);
        if (partialImages < 0 || partialImages > MAX_PARTIAL_IMAGES) throw new IllegalArgumentException("partial_images must be in [0, " + MAX_PARTIAL_IMAGES + "], was " + partialImages);
        if (partialImages > 0 && n != 1) throw new IllegalArgumentException("partial_images needs n = 1, was n = " + n);
    }

    /** An input without previews. */
    public ImageInput(String prompt, String negativePrompt, int n, int width, int height, int steps, double guidanceScale) {
        this(prompt, negativePrompt, n, width, height, steps, guidanceScale, 0);
    }

    public String size() {
        return width + "x" + height;
    }
}
