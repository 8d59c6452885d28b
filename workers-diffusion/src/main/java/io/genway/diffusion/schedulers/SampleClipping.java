package io.genway.diffusion.schedulers;

import java.util.Arrays;

/**
 * What a scheduler does to its estimate of the clean sample x0 before using it: diffusers' {@code clip_sample}
 * with {@code clip_sample_range}, or dynamic {@code thresholding} (Imagen, Saharia et al. 2022), which wins over
 * clipping when both are set there.
 */
public sealed interface SampleClipping {
    /** Leaves x0 as predicted: latent-space models, whose latents are not bounded to [-1, 1]. */
    SampleClipping OFF = new Off();
    /** diffusers' DDPM/DDIM default: {@code clip_sample=True}, {@code clip_sample_range=1.0}. */
    SampleClipping UNIT = new Clip(1.0);

    /** Rewrites x0 in place; {@code batch} items lie one after the other in {@code x0}. */
    void apply(float[] x0, int batch);

    record Off() implements SampleClipping {
        @Override
        public void apply(float[] x0, int batch) {}
    }

    record Clip(double range) implements SampleClipping {
        public Clip {
            if (!(range > 0)) throw new IllegalArgumentException("range must be > 0, was " + range);
        }

        @Override
        public void apply(float[] x0, int batch) {
            float bound = (float) range;
            for (int i = 0; i < x0.length; i++) x0[i] = Math.clamp(x0[i], -bound, bound);
        }
    }

    /**
     * Per batch item, s = the {@code ratio} quantile of |x0| (torch.quantile's linear interpolation), clamped to
     * [1, {@code sampleMaxValue}]; x0 is then clamped to [-s, s] and divided by s. With a maximum below 1 (as
     * diffusers' own test uses) torch's clamp yields the maximum, and so does this.
     */
    record DynamicThreshold(double ratio, double sampleMaxValue) implements SampleClipping {
        /** diffusers' {@code dynamic_thresholding_ratio=0.995}, {@code sample_max_value=1.0}. */
        public static final DynamicThreshold DEFAULT = new DynamicThreshold(0.995, 1.0);

        public DynamicThreshold {
            if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("ratio must be in (0, 1], was " + ratio);
            if (!(sampleMaxValue > 0)) {
                throw new IllegalArgumentException("sampleMaxValue must be > 0, was " + sampleMaxValue);
            }
        }

        @Override
        public void apply(float[] x0, int batch) {
            if (batch <= 0 || x0.length % batch != 0) {
                throw new IllegalArgumentException("batch must divide the sample length " + x0.length + ", was " + batch);
            }
            int size = x0.length / batch;
            for (int item = 0; item < batch; item++) {
                int from = item * size;
                float s = Math.min(Math.max(absQuantile(x0, from, size), 1f), (float) sampleMaxValue);
                for (int i = from; i < from + size; i++) x0[i] = Math.clamp(x0[i], -s, s) / s;
            }
        }

        /** torch.quantile in float32: rank q(n-1), lerp between its floor and ceiling neighbours. */
        private float absQuantile(float[] x, int from, int size) {
            float[] sorted = new float[size];
            for (int i = 0; i < size; i++) sorted[i] = Math.abs(x[from + i]);
            Arrays.sort(sorted);
            float rank = (float) ratio * (size - 1);
            int below = (int) rank;
            int above = (int) Math.ceil(rank);
            float weight = rank - below;
            float low = sorted[below];
            float high = sorted[above];
            // torch's lerp: anchored at whichever end is nearer, for accuracy
            return weight < 0.5f ? low + weight * (high - low) : high - (high - low) * (1 - weight);
        }
    }
}
