package io.genway.llm.llama;

import java.util.Locale;

/**
 * How products with Q8_0 and Q4_0 weights treat the activations, chosen per engine (so every sequence of a worker
 * is computed the same way, alone or batched). K-quant weights always take the integer path.
 */
public enum Activations {
    /**
     * Activations as floats, weights widened to floats row by row: exact activations, and the most aggregate
     * throughput from five concurrent sequences on (each widened row serves every sequence of the step).
     */
    F32,
    /**
     * Activations rounded to 8 bits per block of 32 (about 0.5% relative error), integer products as llama.cpp
     * makes them: about 2x faster for one sequence on two cores, as fast at four, slower per extra sequence beyond.
     */
    Q8;

    /** {@code f32}, {@code q8}, or {@code auto}: {@link #forSlots}; anything else fails naming the choices. */
    public static Activations parse(String name, int slots) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "q8" -> Q8;
            case "auto" -> forSlots(slots);
            default -> throw new IllegalArgumentException("activations must be f32 or q8, was " + name + " (or auto)");
        };
    }

    /**
     * The faster way for an engine of {@code slots} sequences: measured on two cores, 8-bit activations are about 2x
     * faster for one sequence and as fast at four; floats are faster from five on.
     */
    public static Activations forSlots(int slots) {
        return slots <= 4 ? Q8 : F32;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
