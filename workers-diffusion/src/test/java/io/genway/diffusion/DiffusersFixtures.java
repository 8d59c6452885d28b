package io.genway.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.diffusion.safetensors.Safetensors;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The fixtures reference/make_diffusers_fixtures.py made with diffusers itself (src/test/resources/diffusers-fixtures):
 * tiny random models in diffusers' layout and diffusers' outputs for them.
 */
public final class DiffusersFixtures {
    private DiffusersFixtures() {}

    /** The fixture folder {@code name} ({@code tiny-sd}, {@code tiny-sd2}, {@code expected}). */
    public static Path folder(String name) {
        URL url = DiffusersFixtures.class.getResource("/diffusers-fixtures/" + name);
        if (url == null) throw new IllegalStateException("test resource diffusers-fixtures/" + name + " is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every tensor of {@code expected/<file>.safetensors}, as floats, with its shape. */
    public static Map<String, Tensor> expected(String file) {
        Map<String, Tensor> out = new HashMap<>();
        try (TensorStore store = Safetensors.open(folder("expected").resolve(file + ".safetensors"))) {
            store.tensors().forEach((name, info) -> out.put(name, new Tensor(info.shape(), store.floats(name))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public record Tensor(long[] shape, float[] data) {
        public int dim(int i) {
            return (int) shape[i];
        }
    }

    /** The largest |actual − expected|, after checking the sizes agree. */
    public static double maxAbsDifference(float[] actual, float[] expected) {
        assertThat(actual).as("output size").hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
        return max;
    }

    /** The largest |expected| element: the scale a tolerance is stated against. */
    public static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) max = Math.max(max, Math.abs(v));
        return max;
    }
}
