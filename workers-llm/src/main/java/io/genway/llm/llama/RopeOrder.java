package io.genway.llm.llama;

/**
 * Which elements of a head RoPE rotates together. llama.cpp uses {@link #NORMAL} for the {@code llama}
 * architecture (its converter permutes Q and K so that this holds) and {@link #NEOX} for GPT-NeoX-style models
 * such as Qwen2 and Phi.
 */
public enum RopeOrder {
    /** Adjacent pairs: (0, 1), (2, 3), ... */
    NORMAL,
    /** Halves: (0, n/2), (1, n/2 + 1), ... */
    NEOX
}
