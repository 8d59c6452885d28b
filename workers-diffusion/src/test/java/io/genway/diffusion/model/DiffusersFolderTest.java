package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffusersFolderTest {
    private static final String SD15_INDEX = """
            {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.6.0",
             "feature_extractor": ["transformers", "CLIPImageProcessor"],
             "safety_checker": [null, null], "requires_safety_checker": false,
             "scheduler": ["diffusers", "PNDMScheduler"],
             "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"],
             "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void writeStableDiffusionLayout() {
        ConfigFolders.write(dir, DiffusersFolder.INDEX_FILE, SD15_INDEX);
        ConfigFolders.write(dir, "unet/config.json", UNet2DConditionConfigTest.SD15);
        ConfigFolders.write(dir, "vae/config.json", AutoencoderKLConfigTest.SD15);
        ConfigFolders.write(dir, "scheduler/scheduler_config.json",
                "{\"_class_name\": \"PNDMScheduler\", \"beta_schedule\": \"scaled_linear\"}");
    }

    @Test
    void readsThePipelineClassAndItsComponents() {
        ModelIndex index = DiffusersFolder.open(dir).index();

        assertThat(index.pipelineClass()).isEqualTo("StableDiffusionPipeline");
        assertThat(index.components()).containsOnlyKeys("feature_extractor", "scheduler", "text_encoder",
                "tokenizer", "unet", "vae");
        assertThat(index.component("text_encoder")).hasValue(new ModelIndex.Component("transformers", "CLIPTextModel"));
        assertThat(index.component("safety_checker")).isEmpty();
    }

    @Test
    void readsEachComponentsConfig() {
        DiffusersFolder folder = DiffusersFolder.open(dir);

        assertThat(folder.unet2DCondition("unet").crossAttentionDim()).isEqualTo(768);
        assertThat(folder.autoencoderKL("vae").latentChannels()).isEqualTo(4);
        assertThat(folder.scheduler("scheduler").className()).isEqualTo("PNDMScheduler");
    }

    @Test
    void refusesToReadAComponentAsAnotherClass() {
        DiffusersFolder folder = DiffusersFolder.open(dir);

        assertThatThrownBy(() -> folder.unet2D("unet"))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("model_index.json: unet class \"UNet2DConditionModel\" is not supported here");
    }

    @Test
    void namesTheComponentsThereAreWhenOneIsMissing() {
        DiffusersFolder folder = DiffusersFolder.open(dir);

        assertThatThrownBy(() -> folder.autoencoderKL("vae_decoder"))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("component vae_decoder is missing (has [feature_extractor, scheduler,");
    }

    @Test
    void opensAComponentsSafetensorsWeights() throws IOException {
        new SafetensorsWriter().add("conv_in.bias", Dtype.F16, new long[] {2}, new float[] {0.5f, -1f})
                .write(dir.resolve("unet/diffusion_pytorch_model.safetensors"));

        try (TensorStore weights = DiffusersFolder.open(dir).weights("unet")) {
            assertThat(weights.floats("conv_in.bias")).containsExactly(0.5f, -1f);
        }
    }

    @Test
    void reportsAComponentWithoutSafetensorsWeights() throws IOException {
        Files.writeString(dir.resolve("vae/diffusion_pytorch_model.bin"), "pickle");

        assertThatThrownBy(() -> DiffusersFolder.open(dir).weights("vae"))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("no safetensors weights");
    }

    @Test
    void refusesAnIndexWithoutAPipelineClass() {
        ConfigFolders.write(dir, DiffusersFolder.INDEX_FILE, "{\"unet\": [\"diffusers\", \"UNet2DModel\"]}");

        assertThatThrownBy(() -> DiffusersFolder.open(dir))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("model_index.json: _class_name must name the pipeline class");
    }

    @Test
    void refusesAMalformedComponentEntry() {
        ConfigFolders.write(dir, DiffusersFolder.INDEX_FILE, "{\"_class_name\": \"DDPMPipeline\", \"unet\": [\"x\"]}");

        assertThatThrownBy(() -> DiffusersFolder.open(dir))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("unet must be [library, class], was [\"x\"]");
    }

    @Test
    void readsAnUnconditionalDdpmPipeline() {
        Path ddpm = dir.resolve("ddpm");
        ConfigFolders.write(ddpm, DiffusersFolder.INDEX_FILE, """
                {"_class_name": "DDPMPipeline", "scheduler": ["diffusers", "DDPMScheduler"],
                 "unet": ["diffusers", "UNet2DModel"]}
                """);
        ConfigFolders.write(ddpm, "unet/config.json", UNet2DConfigTest.FIXTURE);

        assertThat(DiffusersFolder.open(ddpm).unet2D("unet").blockOutChannels()).containsExactly(32, 64);
    }
}
