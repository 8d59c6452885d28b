package io.genway.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DConditionConfig;
import io.genway.diffusion.model.UNet2DConditionWeights;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conditional UNet against reference/unet_torch.py (plain PyTorch with diffusers' state-dict names, itself
 * checked against diffusers' UNet2DModel fixture): an SD 1.x-shaped model (conv projections, one head count for
 * every block, three levels, batch 2) and an SD 2.x-shaped one (linear projections, heads and transformer depth per
 * block, freq_shift 1).
 */
class UNet2DConditionModelTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private record Loaded(UNet2DConditionModel model, JsonNode testCase) {}

    private Loaded load(String name) throws IOException {
        JsonNode testCase = FormulaFolder.testCase(name);
        Path configFile = Files.createDirectories(dir.resolve("config")).resolve("config.json");
        Files.writeString(configFile, testCase.get("config").toString());
        var shapes = UNet2DConditionWeights.shapes(UNet2DConditionConfig.read(configFile));
        DiffusersFolder folder = FormulaFolder.write(dir.resolve("model"), "unet", testCase.get("config"), shapes,
                testCase.get("amplitude").asDouble(), tensor -> true);
        assertThat(shapes).hasSize(testCase.get("tensors").asInt());
        return new Loaded(UNet2DConditionModel.load(folder), testCase);
    }

    private static FeatureMap latents(JsonNode testCase, int channels) {
        int batch = testCase.get("batch").asInt();
        int size = testCase.get("size").asInt();
        return new FeatureMap(batch, channels, size, size,
                FormulaFolder.pattern(batch * channels * size * size, Math::sin, 0.01));
    }

    private static Tokens text(JsonNode testCase, int width) {
        int batch = testCase.get("batch").asInt();
        int length = testCase.get("sequence").asInt();
        return new Tokens(batch, length, width, FormulaFolder.pattern(batch * length * width, Math::cos, 0.02));
    }

    private static FeatureMap run(Loaded loaded) {
        UNet2DConditionConfig config = loaded.model().config();
        return loaded.model().predict(latents(loaded.testCase(), config.inChannels()),
                (float) loaded.testCase().get("timestep").asDouble(),
                text(loaded.testCase(), config.crossAttentionDim()));
    }

    @Test
    void matchesPyTorchOnAnSd1ShapedModelWithConvProjections() throws IOException {
        Loaded loaded = load("sd1-like-unet");

        ExpectedOutput.assertMatches(run(loaded), loaded.testCase().get("output"), TOLERANCE);
    }

    @Test
    void matchesPyTorchOnAnSd2ShapedModelWithLinearProjectionsAndPerBlockHeads() throws IOException {
        Loaded loaded = load("sd2-like-unet");

        ExpectedOutput.assertMatches(run(loaded), loaded.testCase().get("output"), TOLERANCE);
    }

    /** Bit for bit, so a request's image does not depend on what it was batched with (or on JIT warm-up). */
    @Test
    void givesEachBatchElementExactlyWhatItGetsAlone() throws IOException {
        Loaded loaded = load("sd1-like-unet");
        FeatureMap x = latents(loaded.testCase(), 4);
        Tokens context = text(loaded.testCase(), 24);

        FeatureMap together = loaded.model().predict(x, 500f, context);
        for (int n = 0; n < 2; n++) {
            Tokens own = new Tokens(1, context.length(), context.dim(), Arrays.copyOfRange(context.data(),
                    n * context.length() * context.dim(), (n + 1) * context.length() * context.dim()));
            float[] alone = loaded.model().predict(x.image(n), 500f, own).data();
            assertThat(together.image(n).data()).as("batch element %d", n).containsExactly(alone);
        }
    }

    @Test
    void servesConcurrentCallersFromOneInstance() throws Exception {
        Loaded loaded = load("sd2-like-unet");
        FeatureMap x = latents(loaded.testCase(), 4);
        Tokens context = text(loaded.testCase(), 16);
        float[] expected = loaded.model().predict(x, 981f, context).data();

        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var results = new java.util.ArrayList<java.util.concurrent.Future<float[]>>();
            for (int i = 0; i < 8; i++) results.add(pool.submit(() -> loaded.model().predict(x, 981f, context).data()));
            for (var result : results) assertThat(result.get()).containsExactly(expected);
        }
    }

    @Test
    void refusesTextStatesOfTheWrongWidth() throws IOException {
        Loaded loaded = load("sd2-like-unet");

        assertThatThrownBy(() -> loaded.model().predict(latents(loaded.testCase(), 4), 1f,
                new Tokens(1, 3, 17, new float[51])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cross_attention_dim is 16");
    }
}
