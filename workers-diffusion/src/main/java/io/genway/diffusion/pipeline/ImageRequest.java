package io.genway.diffusion.pipeline;

import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * One image to render. {@code guidance} above 1 runs classifier-free guidance against {@code negativePrompt};
 * at 1 or below only the prompt is denoised and the negative prompt is unused, as in diffusers.
 *
 * @param previews how many previews of the image in progress to make, spread over the steps ({@link PreviewPlan})
 */
public record ImageRequest(String prompt, String negativePrompt, long seed, int steps, Sampler sampler,
                           double guidance, int width, int height, int previews) {
    public static final int MAX_STEPS = 500;
    public static final int MAX_SIDE = 2048;

    public ImageRequest {
        Objects.requireNonNull(prompt, "prompt");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        Objects.requireNonNull(sampler, "sampler");
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps must be in [1, " + MAX_STEPS + "], was " + steps);
        }
        if (!(guidance >= 0 && guidance <= 50)) {
            throw new IllegalArgumentException("guidance must be in [0, 50], was " + guidance);
        }
        if (width < 8 || width > MAX_SIDE || width % 8 != 0) {
            throw new IllegalArgumentException("width must be a multiple of 8 in [8, " + MAX_SIDE + "], was " + width);
        }
        if (height < 8 || height > MAX_SIDE || height % 8 != 0) {
            throw new IllegalArgumentException("height must be a multiple of 8 in [8, " + MAX_SIDE + "], was "
                    + height);
        }
        if (previews < 0) throw new IllegalArgumentException("previews must be >= 0, was " + previews);
    }

    /** An image without previews. */
    public ImageRequest(String prompt, String negativePrompt, long seed, int steps, Sampler sampler, double guidance,
                        int width, int height) {
        this(prompt, negativePrompt, seed, steps, sampler, guidance, width, height, 0);
    }

    public boolean guided() {
        return guidance > 1;
    }

    public String size() {
        return width + "x" + height;
    }

    /** The PNG text chunks: enough to make the image again. */
    public SequencedMap<String, String> parameters(String model) {
        SequencedMap<String, String> text = new LinkedHashMap<>();
        text.put("prompt", prompt);
        text.put("negative_prompt", negativePrompt);
        text.put("seed", Long.toString(seed));
        text.put("steps", Integer.toString(steps));
        text.put("sampler", sampler.wireName());
        text.put("guidance", Double.toString(guidance));
        text.put("size", size());
        text.put("model", model);
        return text;
    }
}
