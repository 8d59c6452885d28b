package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DConfigTest {
    /** The UNet2DModel fixture's config (shared/reference/unet2d-fixture.md), every default written out. */
    static final String FIXTURE = """
            {"_class_name": "UNet2DModel", "sample_size": 16, "in_channels": 3, "out_channels": 3,
             "center_input_sample": false, "time_embedding_type": "positional", "time_embedding_dim": null,
             "freq_shift": 0, "flip_sin_to_cos": true, "down_block_types": ["DownBlock2D", "AttnDownBlock2D"],
             "mid_block_type": "UNetMidBlock2D", "up_block_types": ["AttnUpBlock2D", "UpBlock2D"],
             "block_out_channels": [32, 64], "layers_per_block": 2, "mid_block_scale_factor": 1,
             "downsample_padding": 1, "downsample_type": "conv", "upsample_type": "conv", "dropout": 0.0,
             "act_fn": "silu", "attention_head_dim": 8, "norm_num_groups": 32, "attn_norm_num_groups": null,
             "norm_eps": 1e-05, "resnet_time_scale_shift": "default", "add_attention": true,
             "class_embed_type": null, "num_class_embeds": null, "num_train_timesteps": null}
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheReferenceFixtureConfig() {
        UNet2DConfig config = read(FIXTURE);

        assertThat(config.sampleSize()).isEqualTo(16);
        assertThat(config.downBlockTypes()).containsExactly("DownBlock2D", "AttnDownBlock2D");
        assertThat(config.upBlockTypes()).containsExactly("AttnUpBlock2D", "UpBlock2D");
        assertThat(config.blockOutChannels()).containsExactly(32, 64);
        assertThat(config.attentionHeadDims()).containsExactly(8, 8);
        assertThat(config.attentionNormGroups()).isEqualTo(32);
        assertThat(config.timeEmbeddingDim()).isEqualTo(128);
        assertThat(config.normEps()).isEqualTo(1e-5);
        assertThat(config.flipSinToCos()).isTrue();
    }

    @Test
    void fillsDiffusersDefaultsForAbsentKeys() {
        UNet2DConfig config = read("{\"_class_name\": \"UNet2DModel\"}");

        assertThat(config.blockOutChannels()).containsExactly(224, 448, 672, 896);
        assertThat(config.downBlockTypes())
                .containsExactly("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D");
        assertThat(config.attentionHeadDims()).containsExactly(8, 8, 8, 8);
        assertThat(config.layersPerBlock()).isEqualTo(2);
        assertThat(config.timeEmbeddingDim()).isEqualTo(896);
    }

    @Test
    void readsANullHeadDimAsOneHeadPerBlock() {
        UNet2DConfig config = read(FIXTURE.replace("\"attention_head_dim\": 8", "\"attention_head_dim\": null"));

        assertThat(config.attentionHeadDims()).isEqualTo(List.of(32, 64));
    }

    @Test
    void refusesAnUnknownBlockTypeNamingKeyAndValue() {
        assertThatThrownBy(() -> read(FIXTURE.replace("\"AttnDownBlock2D\"", "\"SkipDownBlock2D\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("config.json: down_block_types \"SkipDownBlock2D\" is not supported")
                .hasMessageContaining("AttnDownBlock2D");
    }

    @Test
    void refusesAnUnsupportedActivation() {
        assertThatThrownBy(() -> read(FIXTURE.replace("\"silu\"", "\"mish\"")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("act_fn \"mish\" is not supported (supported: [silu])");
    }

    @Test
    void refusesFourierTimeEmbeddingAndScaleShiftNorms() {
        assertThatThrownBy(() -> read(FIXTURE.replace("\"positional\"", "\"fourier\"")))
                .hasMessageContaining("time_embedding_type \"fourier\" is not supported");
        assertThatThrownBy(() -> read(FIXTURE.replace("\"resnet_time_scale_shift\": \"default\"",
                "\"resnet_time_scale_shift\": \"scale_shift\"")))
                .hasMessageContaining("resnet_time_scale_shift \"scale_shift\" is not supported");
    }

    @Test
    void refusesANullMidBlockRatherThanReadingItAsTheDefault() {
        assertThatThrownBy(() -> read(FIXTURE.replace("\"mid_block_type\": \"UNetMidBlock2D\"",
                "\"mid_block_type\": null")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("mid_block_type null is not supported (supported: [UNetMidBlock2D])");
    }

    @Test
    void readsNumClassEmbedsAloneAsALookupTable() {
        UNet2DConfig config = read(FIXTURE.replace("\"num_class_embeds\": null", "\"num_class_embeds\": 10"));

        assertThat(config.classEmbedding()).isEqualTo(UNet2DConfig.ClassEmbedding.LOOKUP);
        assertThat(config.numClassEmbeds()).isEqualTo(10);
        assertThat(UNet2DWeights.shapes(config).get("class_embedding.weight")).containsExactly(10, 128);
    }

    @Test
    void refusesClassEmbeddingTypesOtherThanTimestep() {
        String identity = FIXTURE.replace("\"class_embed_type\": null", "\"class_embed_type\": \"identity\"");
        assertThatThrownBy(() -> read(identity))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("class_embed_type \"identity\" is not supported");
    }

    @Test
    void refusesBlockListsOfDifferentLengths() {
        assertThatThrownBy(() -> read(FIXTURE.replace("[32, 64]", "[32, 64, 128]")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("down_block_types has 2 blocks but block_out_channels has 3");
    }

    @Test
    void refusesGroupNormsThatDoNotDivideTheChannels() {
        assertThatThrownBy(() -> read(FIXTURE.replace("\"norm_num_groups\": 32", "\"norm_num_groups\": 24")))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("norm_num_groups 24 must divide every block_out_channels entry, not 32");
    }

    @Test
    void refusesAConfigOfAnotherClass() {
        assertThatThrownBy(() -> read("{\"_class_name\": \"UNet2DConditionModel\"}"))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("_class_name \"UNet2DConditionModel\" is not supported (supported: [UNet2DModel])");
    }

    @Test
    void reportsAMissingConfigFile() {
        Path missing = dir.resolve("unet/config.json");

        assertThatThrownBy(() -> UNet2DConfig.read(missing))
                .isInstanceOf(ModelConfigException.class)
                .hasMessage(missing + ": file is missing");
    }

    private UNet2DConfig read(String json) {
        return UNet2DConfig.read(ConfigFolders.write(dir, "unet/config.json", json));
    }
}
