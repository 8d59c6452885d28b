package io.genway.diffusion.schedulers;

/**
 * What one denoising step produced: the sample to feed the model next, and the scheduler's current estimate of the
 * clean sample, which a streaming caller can decode as a preview.
 */
public record StepResult(float[] prevSample, float[] predictedOriginal) {
    public StepResult {
        if (prevSample == null) throw new IllegalArgumentException("prevSample must not be null");
        if (predictedOriginal == null) throw new IllegalArgumentException("predictedOriginal must not be null");
    }
}
