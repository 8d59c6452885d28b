package io.genway.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.Safetensors;
import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** last_hidden_state against transformers' CLIPTextModel with the same config and formula weights. */
class ClipTextModelTest {

    @Test
    void quickGeluEncoderMatchesTransformers(@TempDir Path dir) throws IOException {
        assertMatches(dir, 0, ClipTextModel.PREFIX);
    }

    @Test
    void geluEncoderMatchesTransformers(@TempDir Path dir) throws IOException {
        assertMatches(dir, 1, ClipTextModel.PREFIX);
    }

    @Test
    void readsWeightsSavedWithoutTheTextModelPrefix(@TempDir Path dir) throws IOException {
        assertMatches(dir, 0, "");
    }

    @Test
    void tokenizerAndEncoderTogetherReproduceTheScriptsInputIds() {
        ClipTokenizer tokenizer = ClipTokenizer.read(ClipReference.tokenizerFolder());
        JsonNode prompts = ClipTextFixture.EXPECTED.get("prompts");
        for (int p = 0; p < prompts.size(); p++) {
            assertThat(tokenizer.encode(prompts.get(p).asText()))
                    .containsExactly(ClipReference.ints(ClipTextFixture.EXPECTED.get("input_ids").get(p)));
        }
    }

    @Test
    void wronglyShapedTensorFailsNamingIt(@TempDir Path dir) throws IOException {
        Path folder = ClipTextFixture.write(dir.resolve("text_encoder"), 0, ClipTextModel.PREFIX);
        ClipTextConfig config = ClipTextConfig.read(folder.resolve("config.json"));
        ClipTextConfig wider = new ClipTextConfig(config.vocabSize(), config.hiddenSize(), config.intermediateSize() * 2,
                config.numHiddenLayers(), config.numAttentionHeads(), config.maxPositionEmbeddings(), config.hiddenAct(),
                config.layerNormEps());
        try (TensorStore weights = Safetensors.open(folder.resolve("model.safetensors"))) {
            assertThatThrownBy(() -> ClipTextModel.load(wider, weights))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("text_model.encoder.layers.0.mlp.fc1.weight has shape [48, 24], the config needs [96, 24]");
        }
    }

    @Test
    void missingTensorFailsNamingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("text_model.final_layer_norm.weight", Dtype.F32, new long[] {24}, new float[24])
                .write(file);
        ClipTextConfig config = new ClipTextConfig(716, 24, 48, 2, 3, 77, "gelu", 1e-5);
        try (TensorStore weights = Safetensors.open(file)) {
            assertThatThrownBy(() -> ClipTextModel.load(config, weights))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining("text_model.encoder.layers.0.layer_norm1.weight is missing");
        }
    }

    @Test
    void erfMatchesKnownValues() {
        // Abramowitz and Stegun, table 7.1
        assertThat(TextOps.erf(0.5)).isCloseTo(0.5204998778, within(1e-10));
        assertThat(TextOps.erf(1.0)).isCloseTo(0.8427007929, within(1e-10));
        assertThat(TextOps.erf(-2.0)).isCloseTo(-0.9953222650, within(1e-10));
        assertThat(TextOps.erf(3.5)).isCloseTo(0.9999992569, within(1e-10));
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    private static void assertMatches(Path dir, int index, String prefix) throws IOException {
        JsonNode model = ClipTextFixture.model(index);
        Path folder = ClipTextFixture.write(dir.resolve("text_encoder"), index, prefix);
        ClipTextConfig config = ClipTextConfig.read(folder.resolve("config.json"));
        assertThat(config.hiddenAct()).isEqualTo(model.get("hidden_act").asText());
        assertThat(List.copyOf(ClipTextModel.shapes(config).keySet()))
                .containsExactlyElementsOf(names(model.get("tensors")));
        ClipTextModel encoder;
        try (TensorStore weights = Safetensors.open(folder.resolve("model.safetensors"))) {
            encoder = ClipTextModel.load(config, weights);
        }
        JsonNode ids = ClipTextFixture.EXPECTED.get("input_ids");
        JsonNode expected = model.get("last_hidden_state");
        int perPrompt = 77 * config.hiddenSize();
        double worst = 0;
        for (int p = 0; p < ids.size(); p++) {
            float[] hidden = encoder.encode(ClipReference.ints(ids.get(p)));
            assertThat(hidden).hasSize(perPrompt);
            for (int i = 0; i < perPrompt; i++) {
                worst = Math.max(worst, Math.abs(hidden[i] - expected.get(p * perPrompt + i).asDouble()));
            }
        }
        assertThat(worst).as("largest difference from transformers").isLessThan(1e-4);
    }
}
