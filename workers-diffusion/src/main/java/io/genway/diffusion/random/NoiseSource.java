package io.genway.diffusion.random;

/**
 * Where a sampler draws its Gaussian noise. Injected so that a run is reproducible from its seed and tests can
 * substitute known noise. Implementations are single-threaded: one source belongs to one generation.
 */
@FunctionalInterface
public interface NoiseSource {
    /** {@code count} independent standard-normal floats; successive calls continue the same stream. */
    float[] randn(int count);
}
