package io.genway.diffusion.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code UNet2DModel}'s config (an unconditional pixel- or latent-space UNet, as DDPM checkpoints use), with the
 * per-block values diffusers derives already resolved. Only what this engine implements is accepted: positional
 * time embedding, SiLU, conv down/upsampling, the plain and attention blocks, and class conditioning by a lookup
 * table ({@code num_class_embeds} alone) or by a timestep-style embedding of the label ({@code class_embed_type:
 * "timestep"}).
 *
 * @param attentionHeadDims channels per attention head, per block ({@code attention_head_dim}, or the block's
 *     channels when null: one head)
 * @param attentionNormGroups group-norm groups in attention blocks ({@code attn_norm_num_groups}, default
 *     {@code norm_num_groups})
 * @param timeEmbeddingDim width of the time embedding ({@code time_embedding_dim}, default 4 × first block)
 * @param classEmbedding how class labels join the time embedding, if at all
 * @param numClassEmbeds rows of the class lookup table ({@code num_class_embeds}); 0 unless it is a lookup
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
        int timeEmbeddingDim,
        ClassEmbedding classEmbedding,
        int numClassEmbeds) {

    /** diffusers' class embeddings this engine implements. */
    public enum ClassEmbedding {
        NONE,
        /** {@code nn.Embedding(num_class_embeds, time_embedding_dim)}: {@code class_embedding.weight}. */
        LOOKUP,
        /** The label projected like a timestep, then its own TimestepEmbedding MLP. */
        TIMESTEP
    }

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
        if (classEmbedding == null) throw new IllegalArgumentException("classEmbedding must not be null (use NONE)");
        if ((classEmbedding == ClassEmbedding.LOOKUP) != (numClassEmbeds > 0) || numClassEmbeds < 0) {
            throw new IllegalArgumentException("num_class_embeds " + numClassEmbeds + " does not fit class embedding "
                    + classEmbedding);
        }
    }

    /** Whether {@code predict} needs a class label per batch element. */
    public boolean classConditional() {
        return classEmbedding != ClassEmbedding.NONE;
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
        String classType = json.string("class_embed_type", null);
        if (classType != null && !classType.equals("timestep")) {
            throw json.unsupported("class_embed_type", classType, Set.of("null", "timestep"));
        }
        int classCount = json.integer("num_class_embeds", 0);
        ClassEmbedding classEmbedding = classType != null ? ClassEmbedding.TIMESTEP
                : classCount > 0 ? ClassEmbedding.LOOKUP : ClassEmbedding.NONE;
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
                json.integer("time_embedding_dim", channels.getFirst() * 4),
                classEmbedding,
                classEmbedding == ClassEmbedding.LOOKUP ? classCount : 0));
    }
}
