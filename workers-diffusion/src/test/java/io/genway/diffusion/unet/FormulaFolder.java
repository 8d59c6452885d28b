package io.genway.diffusion.unet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Test models whose weights are a formula (reference/make_expected.py states it): a diffusers folder written from
 * a case file of src/test/resources/io/genway/diffusion/unet, which also holds the PyTorch reference's output.
 */
final class FormulaFolder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NORM_SCALE =
            Pattern.compile("(^|\\.)(norm[0-9]*|group_norm|conv_norm_out)\\.weight$");

    private FormulaFolder() {}

    static JsonNode testCase(String name) {
        try (InputStream in = FormulaFolder.class.getResourceAsStream(name + ".json")) {
            if (in == null) throw new IllegalStateException("test resource " + name + ".json is missing");
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code root/model_index.json} and {@code root/component/} with the case's config and formula weights
     * for {@code shapes}; {@code indexed} picks the tensors the formula's index k counts over (in sorted order).
     */
    static DiffusersFolder write(Path root, String component, JsonNode config, Map<String, long[]> shapes,
            double amplitude, Predicate<String> indexed) throws IOException {
        Files.createDirectories(root.resolve(component));
        String className = config.get("_class_name").asText();
        Files.writeString(root.resolve(DiffusersFolder.INDEX_FILE),
                "{\"_class_name\": \"TestPipeline\", \"" + component + "\": [\"diffusers\", \"" + className + "\"]}");
        Path configFile = root.resolve(component).resolve(DiffusersFolder.CONFIG_FILE);
        Files.writeString(configFile, JSON.writeValueAsString(config));
        List<String> sorted = new ArrayList<>(shapes.keySet().stream().filter(indexed).toList());
        sorted.sort(null);
        List<String> rest = new ArrayList<>(shapes.keySet().stream().filter(indexed.negate()).toList());
        rest.sort(null);
        sorted.addAll(rest);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (int k = 0; k < sorted.size(); k++) {
            String name = sorted.get(k);
            long[] shape = shapes.get(name);
            int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            double offset = NORM_SCALE.matcher(name).find() ? 1.0 : 0.0;
            float[] values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float) (amplitude * Math.sin(0.1 * i + k) + offset);
            writer.add(name, Dtype.F32, shape, values);
        }
        writer.write(root.resolve(component).resolve("diffusion_pytorch_model.safetensors"));
        return DiffusersFolder.open(root);
    }

    /** {@code fn(scale · i)} for flat index i, as float. */
    static float[] pattern(int count, java.util.function.DoubleUnaryOperator fn, double scale) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) fn.applyAsDouble(scale * i);
        return out;
    }
}
