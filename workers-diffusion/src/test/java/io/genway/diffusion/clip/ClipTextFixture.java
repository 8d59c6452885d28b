package io.genway.diffusion.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The text encoders of src/test/python/clip_reference.py as {@code text_encoder/} folders: transformers' config as
 * the script wrote it, and weights by the script's formula, so no weight file is committed.
 */
public final class ClipTextFixture {
    static final JsonNode EXPECTED = ClipReference.json("text-model-expected.json");

    private ClipTextFixture() {}

    /** The script's model {@code index} (0: quick_gelu, 1: gelu). */
    static JsonNode model(int index) {
        return EXPECTED.get("models").get(index);
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code folder}, names under {@code prefix}. */
    public static Path write(Path folder, int index, String prefix) throws IOException {
        Files.createDirectories(folder);
        ObjectNode config = ((ObjectNode) model(index).get("config").deepCopy());
        config.putArray("architectures").add(ClipTextConfig.CLASS_NAME);
        Path configFile = Files.writeString(folder.resolve("config.json"), config.toPrettyString());
        Map<String, long[]> shapes = ClipTextModel.shapes(ClipTextConfig.read(configFile));
        List<String> names = List.copyOf(shapes.keySet());
        SafetensorsWriter writer = new SafetensorsWriter();
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            long[] shape = shapes.get(name);
            writer.add(prefix + name, Dtype.F32, shape, weights(name, k, (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)));
        }
        writer.write(folder.resolve("model.safetensors"));
        return folder;
    }

    /** Tensor k in sorted name order: 0.05 sin(0.1 i + k), plus 1 for LayerNorm scales. */
    static float[] weights(String name, int k, int count) {
        double offset = name.contains("layer_norm") && name.endsWith("weight") ? 1.0 : 0.0;
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = (float) (0.05 * Math.sin(0.1 * i + k) + offset);
        return out;
    }
}
