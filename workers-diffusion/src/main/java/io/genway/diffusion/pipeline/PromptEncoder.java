package io.genway.diffusion.pipeline;

/**
 * Turns a prompt into the token states the denoiser cross-attends to. Implementations must be safe to call from
 * several threads at once.
 */
public interface PromptEncoder {
    /** Positions per prompt (77 for CLIP). */
    int tokens();

    /** Floats per position: the denoiser's {@code cross_attention_dim}. */
    int width();

    /** (tokens, width) row-major; the empty string is the unconditional prompt. */
    float[] encode(String prompt);
}
