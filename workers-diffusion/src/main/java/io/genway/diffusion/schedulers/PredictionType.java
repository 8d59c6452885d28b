package io.genway.diffusion.schedulers;

/** What the denoising model was trained to output ({@code prediction_type} in diffusers). */
public enum PredictionType {
    /** The noise ε that was added. */
    EPSILON,
    /** The velocity v = sqrt(ᾱ) ε - sqrt(1 - ᾱ) x0 (Salimans and Ho, progressive distillation). */
    V_PREDICTION,
    /** The clean sample x0 itself. */
    SAMPLE
}
