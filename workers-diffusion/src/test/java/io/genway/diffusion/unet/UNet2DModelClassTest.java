package io.genway.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.model.UNet2DConfig;
import io.genway.diffusion.model.UNet2DWeights;
import io.genway.diffusion.nn.FeatureMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class-conditional UNet2DModels (a label lookup table, a timestep-style label embedding) against PyTorch. */
class UNet2DModelClassTest {
    @TempDir
    Path dir;

    private record Loaded(UNet2DModel model, JsonNode testCase) {}

    private Loaded load(String name) throws IOException {
        JsonNode testCase = FormulaFolder.testCase(name);
        Path configFile = Files.createDirectories(dir.resolve("config")).resolve("config.json");
        Files.writeString(configFile, testCase.get("config").toString());
        var shapes = UNet2DWeights.shapes(UNet2DConfig.read(configFile));
        return new Loaded(UNet2DModel.load(FormulaFolder.write(dir.resolve("model"), "unet", testCase.get("config"),
                shapes, testCase.get("amplitude").asDouble(), tensor -> true)), testCase);
    }

    private static FeatureMap sample(JsonNode testCase) {
        int batch = testCase.get("batch").asInt();
        int size = testCase.get("size").asInt();
        return new FeatureMap(batch, 3, size, size, FormulaFolder.pattern(batch * 3 * size * size, Math::sin, 0.01));
    }

    private static FeatureMap run(Loaded loaded) {
        JsonNode labels = loaded.testCase().get("labels");
        int[] classes = new int[labels.size()];
        for (int i = 0; i < classes.length; i++) classes[i] = labels.get(i).asInt();
        float[] timesteps = new float[classes.length];
        java.util.Arrays.fill(timesteps, (float) loaded.testCase().get("timestep").asDouble());
        return loaded.model().predict(sample(loaded.testCase()), timesteps, classes);
    }

    @Test
    void addsALookedUpClassEmbeddingAsPyTorchDoes() throws IOException {
        Loaded loaded = load("unet2d-class-lookup");

        ExpectedOutput.assertMatches(run(loaded), loaded.testCase().get("output"), 1e-4);
    }

    @Test
    void embedsLabelsLikeTimestepsAsPyTorchDoes() throws IOException {
        Loaded loaded = load("unet2d-class-timestep");

        ExpectedOutput.assertMatches(run(loaded), loaded.testCase().get("output"), 1e-4);
    }

    @Test
    void refusesALabelOutsideTheTable() throws IOException {
        Loaded loaded = load("unet2d-class-lookup");

        assertThatThrownBy(() -> loaded.model().predict(sample(loaded.testCase()), new float[] {1, 1},
                new int[] {3, 10}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class label 10 is outside [0, 10)");
    }

    @Test
    void refusesToRunAClassConditionalModelWithoutLabels() throws IOException {
        Loaded loaded = load("unet2d-class-lookup");

        assertThatThrownBy(() -> loaded.model().predict(sample(loaded.testCase()), 1f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("class-conditional");
    }
}
