package io.genway.diffusion.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code UNet2DConditionModel}'s config: the text-conditioned latent UNet of Stable Diffusion 1.x and 2.x, with the
 * per-block values diffusers derives already resolved. Extras that later models add (class or added embeddings,
 * encoder projections, dual or cross-only attention, other time embeddings or activations) are refused by name.
 *
 * @param attentionHeads attention heads per block. diffusers' {@code attention_head_dim} has always meant the
 *     number of heads here (a naming slip it keeps for compatibility), and it refuses {@code num_attention_heads}
 * @param transformerLayersPerBlock transformer blocks inside each cross-attention block
 */
public record UNet2DConditionConfig(
        int sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        int freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int downsamplePadding,
        double midBlockScaleFactor,
        int normNumGroups,
        double normEps,
        int crossAttentionDim,
        List<Integer> transformerLayersPerBlock,
        List<Integer> attentionHeads,
        boolean useLinearProjection,
        boolean upcastAttention) {

    public static final String CLASS_NAME = "UNet2DConditionModel";
    static final Set<String> DOWN_BLOCKS = Set.of("CrossAttnDownBlock2D", "DownBlock2D");
    static final Set<String> MID_BLOCKS = Set.of("UNetMidBlock2DCrossAttn");
    static final Set<String> UP_BLOCKS = Set.of("UpBlock2D", "CrossAttnUpBlock2D");

    public UNet2DConditionConfig {
        if (sampleSize < 0) throw new IllegalArgumentException("sample_size must be >= 0, was " + sampleSize);
        if (inChannels < 1) throw new IllegalArgumentException("in_channels must be >= 1, was " + inChannels);
        if (outChannels < 1) throw new IllegalArgumentException("out_channels must be >= 1, was " + outChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
        attentionHeads = List.copyOf(attentionHeads);
        UNetBlocks.check(downBlockTypes, upBlockTypes, blockOutChannels, normNumGroups);
        if (!MID_BLOCKS.contains(midBlockType)) {
            throw new IllegalArgumentException("mid_block_type must be one of " + MID_BLOCKS + ", was " + midBlockType);
        }
        if (layersPerBlock < 1) {
            throw new IllegalArgumentException("layers_per_block must be >= 1, was " + layersPerBlock);
        }
        if (!(normEps > 0)) throw new IllegalArgumentException("norm_eps must be > 0, was " + normEps);
        if (crossAttentionDim < 1) {
            throw new IllegalArgumentException("cross_attention_dim must be >= 1, was " + crossAttentionDim);
        }
        for (int i = 0; i < blockOutChannels.size(); i++) {
            int heads = attentionHeads.get(i);
            if (heads < 1 || blockOutChannels.get(i) % heads != 0) {
                throw new IllegalArgumentException("attention_head_dim (heads) " + heads + " must divide"
                        + " block_out_channels[" + i + "] = " + blockOutChannels.get(i));
            }
            if (transformerLayersPerBlock.get(i) < 1) {
                throw new IllegalArgumentException("transformer_layers_per_block must be >= 1, was "
                        + transformerLayersPerBlock);
            }
        }
    }

    public static UNet2DConditionConfig read(Path configJson) {
        ConfigJson json = ConfigJson.read(configJson);
        UNetBlocks.requireClass(json, CLASS_NAME);
        json.requireDefault("time_embedding_type", "positional");
        json.requireDefault("act_fn", "silu");
        json.rejectNull("mid_block_type", MID_BLOCKS);
        json.requireDefault("resnet_time_scale_shift", "default");
        json.requireDefault("attention_type", "default");
        json.requireDefault("dual_cross_attention", false);
        json.requireDefault("resnet_skip_time_act", false);
        json.requireDefault("resnet_out_scale_factor", 1.0);
        json.requireDefault("conv_in_kernel", 3);
        json.requireDefault("conv_out_kernel", 3);
        if (json.root().path("only_cross_attention").toString().contains("true")) {
            throw json.unsupported("only_cross_attention", json.root().get("only_cross_attention"), Set.of(false));
        }
        for (String key : List.of("num_attention_heads", "class_embed_type", "num_class_embeds",
                "addition_embed_type", "encoder_hid_dim", "encoder_hid_dim_type", "time_cond_proj_dim",
                "timestep_post_act", "time_embedding_act_fn", "time_embedding_dim", "cross_attention_norm",
                "reverse_transformer_layers_per_block")) {
            json.requireNull(key);
        }
        List<Integer> channels = json.integers("block_out_channels", List.of(320, 640, 1280, 1280));
        return json.build(() -> new UNet2DConditionConfig(
                json.integer("sample_size", 0),
                json.integer("in_channels", 4),
                json.integer("out_channels", 4),
                json.bool("center_input_sample", false),
                json.bool("flip_sin_to_cos", true),
                json.integer("freq_shift", 0),
                json.strings("down_block_types", List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                        "CrossAttnDownBlock2D", "DownBlock2D"), DOWN_BLOCKS),
                json.oneOf("mid_block_type", "UNetMidBlock2DCrossAttn", MID_BLOCKS),
                json.strings("up_block_types", List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                        "CrossAttnUpBlock2D"), UP_BLOCKS),
                channels,
                json.integer("layers_per_block", 2),
                json.integer("downsample_padding", 1),
                json.decimal("mid_block_scale_factor", 1),
                json.integer("norm_num_groups", 32),
                json.decimal("norm_eps", 1e-5),
                json.integer("cross_attention_dim", 1280),
                json.integerPerBlock("transformer_layers_per_block", 1, channels.size()),
                json.integerPerBlock("attention_head_dim", 8, channels.size()),
                json.bool("use_linear_projection", false),
                json.bool("upcast_attention", false)));
    }
}
