package io.genway.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.clip.ClipReference;
import io.genway.diffusion.clip.ClipTextFixture;
import io.genway.diffusion.clip.ClipTextModel;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A diffusers folder with the reference tokenizer and text encoder, read into a pipeline. */
class ImageModelTest {
    private static final String UNET = """
            {"_class_name": "UNet2DConditionModel", "in_channels": %d, "out_channels": %d,
             "block_out_channels": [32, 64], "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "cross_attention_dim": %d,
             "norm_num_groups": 8, "attention_head_dim": 2, "layers_per_block": 1}
            """;
    private static final ModelParts TEST_PARTS = new ModelParts() {
        @Override
        public Denoiser denoiser(DiffusersFolder folder) {
            return new TestParts.LinearDenoiser();
        }

        @Override
        public LatentDecoder vaeDecoder(DiffusersFolder folder) {
            throw new AssertionError("a pixel-space model has no vae");
        }
    };

    @TempDir Path dir;

    @Test
    void loadsAPixelSpaceModelWithTheSamplerItsSchedulerNames() throws IOException {
        ImageModel model = ImageModel.load(folder(3, 24), TEST_PARTS);
        assertThat(model.defaultSampler()).isEqualTo(Sampler.EULER);
        List<Optional<TextToImage.Rendered>> out = model.pipeline().render(
                List.of(new ImageRequest("a red circle", "", 1, 4, Sampler.EULER, 7, 16, 16)), TextToImage.Listener.NONE);
        assertThat(out.getFirst().orElseThrow().image().getWidth()).isEqualTo(16);
    }

    @Test
    void aNativeModelWithoutUNetWeightsFailsNamingWhatIsMissing() throws IOException {
        Path root = folder(3, 24);
        assertThatThrownBy(() -> ImageModel.load(root, ModelParts.NATIVE))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("unet").hasMessageContaining("no safetensors weights");
    }

    @Test
    void theNativeUNetMakesTheSameImageAloneAndBatchedWithOthers() throws IOException {
        Path root = folder(3, 24);
        writeFormulaUNetWeights(root);
        ImageModel model = ImageModel.load(root, ModelParts.NATIVE);
        ImageRequest circle = new ImageRequest("a red circle", "", 1, 3, Sampler.EULER_ANCESTRAL, 5, 16, 16);
        ImageRequest square = new ImageRequest("a blue square", "", 2, 3, Sampler.DDIM, 1, 16, 16);

        int[] alone = pixels(model.pipeline().render(List.of(circle), TextToImage.Listener.NONE).getFirst().orElseThrow().image());
        List<Optional<TextToImage.Rendered>> together = model.pipeline().render(List.of(circle, square, circle), TextToImage.Listener.NONE);

        assertThat(java.util.Arrays.stream(alone).distinct().count()).as("distinct pixels").isGreaterThan(20);
        assertThat(pixels(together.get(0).orElseThrow().image())).containsExactly(alone);
        assertThat(pixels(together.get(2).orElseThrow().image())).containsExactly(alone);
        assertThat(pixels(together.get(1).orElseThrow().image())).isNotEqualTo(alone);
    }

    /** Weights by the shared fixture's formula: element i of the k-th tensor is 0.05 sin(0.1 i + k), norms' scales +1. */
    private static void writeFormulaUNetWeights(Path root) throws IOException {
        var config = io.genway.diffusion.model.UNet2DConditionConfig.read(root.resolve("unet/config.json"));
        var weights = new io.genway.diffusion.safetensors.SafetensorsWriter();
        int k = 0;
        for (var tensor : io.genway.diffusion.model.UNet2DConditionWeights.shapes(config).entrySet()) {
            int count = (int) java.util.Arrays.stream(tensor.getValue()).reduce(1, (a, b) -> a * b);
            float[] values = new float[count];
            boolean scale = tensor.getKey().matches("(.*\\.)?norm[0-9]*\\.weight|.*conv_norm_out\\.weight");
            for (int i = 0; i < count; i++) values[i] = (float) (0.05 * Math.sin(0.1 * i + k) + (scale ? 1 : 0));
            weights.add(tensor.getKey(), io.genway.diffusion.safetensors.Dtype.F32, tensor.getValue(), values);
            k++;
        }
        weights.write(root.resolve("unet/diffusion_pytorch_model.safetensors"));
    }

    private static int[] pixels(java.awt.image.BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    @Test
    void aUNetAttendingToAnotherWidthThanTheTextEncoderIsRefused() throws IOException {
        Path root = folder(3, 768);
        assertThatThrownBy(() -> ImageModel.load(root, TEST_PARTS))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("cross_attention_dim 768 does not match the text encoder's hidden_size 24");
    }

    @Test
    void aModelWithoutVaeMustDenoisePixels() throws IOException {
        Path root = folder(4, 24);
        assertThatThrownBy(() -> ImageModel.load(root, TEST_PARTS))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("in_channels and out_channels 3, was 4 and 4");
    }

    @Test
    void aMissingTokenizerIsNamed() throws IOException {
        Path root = folder(3, 24);
        Files.writeString(root.resolve(DiffusersFolder.INDEX_FILE), """
                {"_class_name": "StableDiffusionPipeline", "text_encoder": ["transformers", "CLIPTextModel"],
                 "unet": ["diffusers", "UNet2DConditionModel"], "scheduler": ["diffusers", "EulerDiscreteScheduler"]}
                """);
        assertThatThrownBy(() -> ImageModel.load(root, TEST_PARTS))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("component tokenizer is missing");
    }

    private Path folder(int channels, int crossAttentionDim) throws IOException {
        Path root = dir.resolve("model");
        Files.createDirectories(root.resolve("tokenizer"));
        Files.writeString(root.resolve(DiffusersFolder.INDEX_FILE), """
                {"_class_name": "StableDiffusionPipeline", "tokenizer": ["transformers", "CLIPTokenizer"],
                 "text_encoder": ["transformers", "CLIPTextModel"], "unet": ["diffusers", "UNet2DConditionModel"],
                 "scheduler": ["diffusers", "EulerDiscreteScheduler"]}
                """);
        try (var files = Files.list(ClipReference.tokenizerFolder())) {
            for (Path file : files.toList()) Files.copy(file, root.resolve("tokenizer").resolve(file.getFileName()));
        }
        ClipTextFixture.write(root.resolve("text_encoder"), 0, ClipTextModel.PREFIX);
        Files.createDirectories(root.resolve("unet"));
        Files.writeString(root.resolve("unet/config.json"), UNET.formatted(channels, channels, crossAttentionDim));
        Files.createDirectories(root.resolve("scheduler"));
        Files.writeString(root.resolve("scheduler/scheduler_config.json"), """
                {"_class_name": "EulerDiscreteScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                 "beta_end": 0.012, "num_train_timesteps": 1000, "steps_offset": 1, "timestep_spacing": "leading"}
                """);
        return root;
    }
}
