package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderKLConfigTest {
    /** Stable Diffusion 1.5's vae/config.json. */
    static final String SD15 = """
            {"_class_name": "AutoencoderKL", "_diffusers_version": "0.6.0", "act_fn": "silu",
             "block_out_channels": [128, 256, 512, 512],
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D",
                                  "DownEncoderBlock2D"],
             "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32,
             "out_channels": 3, "sample_size": 512,
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}
            """;

    @TempDir
    Path dir;

    @Test
    void readsStableDiffusion15WithTheDefaultScalingFactor() {
        AutoencoderKLConfig config = read(SD15);

        assertThat(config.blockOutChannels()).containsExactly(128, 256, 512, 512);
        assertThat(config.latentChannels()).isEqualTo(4);
        assertThat(config.layersPerBlock()).isEqualTo(2);
        assertThat(config.scalingFactor()).isEqualTo(0.18215);
        assertThat(config.shiftFactor()).isEmpty();
        assertThat(config.useQuantConv()).isTrue();
        assertThat(config.forceUpcast()).isTrue();
    }

    @Test
    void readsAnExplicitScalingAndShiftFactor() {
        AutoencoderKLConfig config = read(SD15.replace("\"act_fn\"",
                "\"scaling_factor\": 0.13025, \"shift_factor\": 0.0609, \"force_upcast\": false, \"act_fn\""));

        assertThat(config.scalingFactor()).isEqualTo(0.13025);
        assertThat(config.shiftFactor()).hasValue(0.0609);
        assertThat(config.forceUpcast()).isFalse();
    }

    @Test
    void refusesPerChannelLatentStatistics() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"latents_mean\": [0.1, 0.2, 0.3, 0.4], \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("latents_mean [0.1,0.2,0.3,0.4] is not supported");
    }

    @Test
    void refusesAnUnknownDecoderBlock() {
        assertThatThrownBy(() -> read(SD15.replace("\"UpDecoderBlock2D\", \"UpDecoderBlock2D\", \"UpDecoderBlock2D\",",
                "\"AttnUpDecoderBlock2D\", \"UpDecoderBlock2D\", \"UpDecoderBlock2D\",")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("up_block_types \"AttnUpDecoderBlock2D\" is not supported");
    }

    @Test
    void refusesANonPositiveScalingFactorNamingTheKey() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"scaling_factor\": 0, \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("scaling_factor must be > 0, was 0.0");
    }

    private AutoencoderKLConfig read(String json) {
        return AutoencoderKLConfig.read(ConfigFolders.write(dir, "vae/config.json", json));
    }
}
