package io.genway.diffusion.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code UNet2DModel}'s config (an unconditional pixel- or latent-space UNet, as DDPM checkpoints use), with the
 * per-block values diffusers derives already resolved. Only what this engine implements is accepted: positional
 * time embedding, SiLU, conv down/upsampling, the plain and attention blocks, no class conditioning.
 *
 * @param attentionHeadDims channels per attention head, per block ({@code attention_head_dim}, or the block's
 *     channels when null: one head)
 * @param attentionNormGroups group-norm groups in attention blocks ({@code attn_norm_num_groups}, default
 *     {@code norm_num_groups})
 * @param timeEmbeddingDim width of the time embedding ({@code time_embedding_dim}, default 4 × first block)
 */
public record UNet2DConfig(
        int sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        int freqShift,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        double midBlockScaleFactor,
        int downsamplePadding,
        List<Integer> attentionHeadDims,
        int normNumGroups,
        int attentionNormGroups,
        double normEps,
        boolean addAttention,
        int timeEmbeddingDim) {

    public static final String CLASS_NAME = "UNet2DModel";
    static final Set<String> DOWN_BLOCKS = Set.of("DownBlock2D", "AttnDownBlock2D");
    static final Set<String> UP_BLOCKS = Set.of("UpBlock2D", "AttnUpBlock2D");

    public UNet2DConfig {
        if (sampleSize < 0) throw new IllegalArgumentException("sample_size must be >= 0, was " + sampleSize);
        if (inChannels < 1) throw new IllegalArgumentException("in_channels must be >= 1, was " + inChannels);
        if (outChannels < 1) throw new IllegalArgumentException("out_channels must be >= 1, was " + outChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        attentionHeadDims = List.copyOf(attentionHeadDims);
        UNetBlocks.check(downBlockTypes, upBlockTypes, blockOutChannels, normNumGroups);
        if (layersPerBlock < 1) {
            throw new IllegalArgumentException("layers_per_block must be >= 1, was " + layersPerBlock);
        }
        if (attentionNormGroups < 1) {
            throw new IllegalArgumentException("attn_norm_num_groups must be >= 1, was " + attentionNormGroups);
        }
        for (int i = 0; i < blockOutChannels.size(); i++) {
            int heads = attentionHeadDims.get(i);
            if (heads < 1 || blockOutChannels.get(i) % heads != 0) {
                throw new IllegalArgumentException("attention_head_dim " + heads + " must divide block_out_channels["
                        + i + "] = " + blockOutChannels.get(i));
            }
        }
        if (!(normEps > 0)) throw new IllegalArgumentException("norm_eps must be > 0, was " + normEps);
        if (timeEmbeddingDim < 1) {
            throw new IllegalArgumentException("time_embedding_dim must be >= 1, was " + timeEmbeddingDim);
        }
    }

    public static UNet2DConfig read(Path configJson) {
        ConfigJson json = ConfigJson.read(configJson);
        UNetBlocks.requireClass(json, CLASS_NAME);
        json.requireDefault("time_embedding_type", "positional");
        json.requireDefault("act_fn", "silu");
        json.rejectNull("mid_block_type", Set.of("UNetMidBlock2D"));
        json.requireDefault("resnet_time_scale_shift", "default");
        json.requireDefault("downsample_type", "conv");
        json.requireDefault("upsample_type", "conv");
        json.requireDefault("mid_block_type", "UNetMidBlock2D");
        json.requireNull("class_embed_type");
        json.requireNull("num_class_embeds");
        List<Integer> channels = json.integers("block_out_channels", List.of(224, 448, 672, 896));
        // absent means diffusers' default of 8; an explicit null means one head spanning the block's channels
        List<Integer> headDims = json.root().path("attention_head_dim").isNull()
                ? channels
                : json.integerPerBlock("attention_head_dim", 8, channels.size());
        int groups = json.integer("norm_num_groups", 32);
        return json.build(() -> new UNet2DConfig(
                json.integer("sample_size", 0),
                json.integer("in_channels", 3),
                json.integer("out_channels", 3),
                json.bool("center_input_sample", false),
                json.bool("flip_sin_to_cos", true),
                json.integer("freq_shift", 0),
                json.strings("down_block_types",
                        List.of("DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"), DOWN_BLOCKS),
                json.strings("up_block_types",
                        List.of("AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"), UP_BLOCKS),
                channels,
                json.integer("layers_per_block", 2),
                json.decimal("mid_block_scale_factor", 1),
                json.integer("downsample_padding", 1),
                headDims,
                groups,
                json.integer("attn_norm_num_groups", groups),
                json.decimal("norm_eps", 1e-5),
                json.bool("add_attention", true),
                json.integer("time_embedding_dim", channels.getFirst() * 4)));
    }
}
