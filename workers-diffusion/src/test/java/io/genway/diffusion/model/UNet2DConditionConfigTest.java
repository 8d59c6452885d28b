package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DConditionConfigTest {
    /** Stable Diffusion 1.5's unet/config.json. */
    static final String SD15 = """
            {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0", "act_fn": "silu",
             "attention_head_dim": 8, "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false,
             "cross_attention_dim": 768,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                  "DownBlock2D"],
             "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4,
             "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32,
             "out_channels": 4, "sample_size": 64,
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}
            """;

    @TempDir
    Path dir;

    @Test
    void readsStableDiffusion15() {
        UNet2DConditionConfig config = read(SD15);

        assertThat(config.sampleSize()).isEqualTo(64);
        assertThat(config.crossAttentionDim()).isEqualTo(768);
        assertThat(config.attentionHeads()).containsExactly(8, 8, 8, 8);
        assertThat(config.transformerLayersPerBlock()).containsExactly(1, 1, 1, 1);
        assertThat(config.midBlockType()).isEqualTo("UNetMidBlock2DCrossAttn");
        assertThat(config.useLinearProjection()).isFalse();
    }

    @Test
    void readsStableDiffusion2sPerBlockHeadsAndLinearProjection() {
        UNet2DConditionConfig config = read(SD15.replace("\"attention_head_dim\": 8",
                "\"attention_head_dim\": [5, 10, 20, 20], \"use_linear_projection\": true,"
                        + " \"upcast_attention\": true, \"num_attention_heads\": null")
                .replace("768", "1024"));

        assertThat(config.attentionHeads()).containsExactly(5, 10, 20, 20);
        assertThat(config.useLinearProjection()).isTrue();
        assertThat(config.upcastAttention()).isTrue();
        assertThat(config.crossAttentionDim()).isEqualTo(1024);
    }

    @Test
    void fillsDiffusersDefaultsForAbsentKeys() {
        UNet2DConditionConfig config = read("{}");

        assertThat(config.blockOutChannels()).containsExactly(320, 640, 1280, 1280);
        assertThat(config.crossAttentionDim()).isEqualTo(1280);
        assertThat(config.inChannels()).isEqualTo(4);
        assertThat(config.upBlockTypes()).first().isEqualTo("UpBlock2D");
    }

    @Test
    void refusesNumAttentionHeadsAsDiffusersDoes() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"num_attention_heads\": 8, \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("num_attention_heads 8 is not supported");
    }

    @Test
    void refusesAddedEmbeddingsOfLaterModels() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"addition_embed_type\": \"text_time\", \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("addition_embed_type \"text_time\" is not supported");
    }

    @Test
    void refusesAResizedTimeEmbedding() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"time_embedding_dim\": 512, \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("time_embedding_dim 512 is not supported");
    }

    @Test
    void refusesCrossOnlyAttention() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"only_cross_attention\": [true, false, false, false],"
                + " \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("only_cross_attention [true,false,false,false] is not supported");
    }

    @Test
    void refusesAnUnknownMidBlock() {
        assertThatThrownBy(() -> read(SD15.replace("\"act_fn\"", "\"mid_block_type\": \"UNetMidBlock2DSimpleCrossAttn\","
                + " \"act_fn\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("mid_block_type \"UNetMidBlock2DSimpleCrossAttn\" is not supported");
    }

    @Test
    void refusesHeadsThatDoNotDivideTheChannels() {
        assertThatThrownBy(() -> read(SD15.replace("\"attention_head_dim\": 8", "\"attention_head_dim\": 7")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("attention_head_dim (heads) 7 must divide block_out_channels[0] = 320");
    }

    @Test
    void refusesAPerBlockListOfTheWrongLength() {
        assertThatThrownBy(() -> read(SD15.replace("\"attention_head_dim\": 8", "\"attention_head_dim\": [5, 10]")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("attention_head_dim has 2 entries for 4 blocks");
    }

    private UNet2DConditionConfig read(String json) {
        return UNet2DConditionConfig.read(ConfigFolders.write(dir, "unet/config.json", json));
    }
}
