package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.SchedulerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Test doubles for the pipeline's parts: known, row-independent arithmetic in place of CLIP and a UNet. */
public final class TestParts {
    public static final int TOKENS = 4;
    public static final int WIDTH = 3;

    private TestParts() {}

    /** Stable Diffusion's schedule, saved with DDIM as SD 2 ships it. */
    public static SchedulerConfig stableDiffusionSchedule(Path dir) {
        try {
            Path file = Files.writeString(dir.resolve("scheduler_config.json"), """
                    {"_class_name": "DDIMScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                     "beta_end": 0.012, "num_train_timesteps": 1000, "clip_sample": false, "set_alpha_to_one": false,
                     "steps_offset": 1}
                    """);
            return SchedulerConfig.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every state of a prompt is one value: the one {@code values} gives, else the prompt's length / 100. */
    public record ConstantEncoder(Map<String, Float> values) implements PromptEncoder {
        @Override
        public int tokens() {
            return TOKENS;
        }

        @Override
        public int width() {
            return WIDTH;
        }

        @Override
        public float[] encode(String prompt) {
            float[] states = new float[TOKENS * WIDTH];
            Arrays.fill(states, values.getOrDefault(prompt, prompt.length() / 100f));
            return states;
        }
    }

    /**
     * {@code out = 0.1 x + c + t / 10000} per row, c the row's first context value: each row depends on its own
     * inputs only. Records every call.
     */
    public static class LinearDenoiser implements Denoiser {
        public final List<float[]> samples = new ArrayList<>();
        public final List<float[]> contexts = new ArrayList<>();
        public final List<Integer> rows = new ArrayList<>();

        @Override
        public int channels() {
            return 3;
        }

        @Override
        public synchronized float[] predict(float[] sample, int rows, int height, int width, float[] timesteps,
                                            float[] context, int tokens) {
            samples.add(sample.clone());
            contexts.add(context.clone());
            this.rows.add(rows);
            int size = sample.length / rows;
            int contextSize = context.length / rows;
            float[] out = new float[sample.length];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < size; i++) {
                    out[r * size + i] = 0.1f * sample[r * size + i] + context[r * contextSize] + timesteps[r] / 10000f;
                }
            }
            return out;
        }
    }
}
