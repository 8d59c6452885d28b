package io.genway.diffusion.model;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * {@code AutoencoderKL}'s config: the VAE that maps latents to pixels. A decoder divides latents by
 * {@code scalingFactor} (after subtracting {@code shiftFactor}, where one is set) before decoding.
 */
public record AutoencoderKLConfig(
        int sampleSize,
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        int latentChannels,
        int normNumGroups,
        double scalingFactor,
        OptionalDouble shiftFactor,
        boolean forceUpcast,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention) {

    public static final String CLASS_NAME = "AutoencoderKL";
    static final Set<String> DOWN_BLOCKS = Set.of("DownEncoderBlock2D");
    static final Set<String> UP_BLOCKS = Set.of("UpDecoderBlock2D");

    public AutoencoderKLConfig {
        if (sampleSize < 0) throw new IllegalArgumentException("sample_size must be >= 0, was " + sampleSize);
        if (inChannels < 1) throw new IllegalArgumentException("in_channels must be >= 1, was " + inChannels);
        if (outChannels < 1) throw new IllegalArgumentException("out_channels must be >= 1, was " + outChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        UNetBlocks.check(downBlockTypes, upBlockTypes, blockOutChannels, normNumGroups);
        if (layersPerBlock < 1) {
            throw new IllegalArgumentException("layers_per_block must be >= 1, was " + layersPerBlock);
        }
        if (latentChannels < 1) {
            throw new IllegalArgumentException("latent_channels must be >= 1, was " + latentChannels);
        }
        if (!(scalingFactor > 0)) {
            throw new IllegalArgumentException("scaling_factor must be > 0, was " + scalingFactor);
        }
        if (shiftFactor == null) throw new IllegalArgumentException("shift_factor must not be null (use empty)");
    }

    public static AutoencoderKLConfig read(Path configJson) {
        ConfigJson json = ConfigJson.read(configJson);
        UNetBlocks.requireClass(json, CLASS_NAME);
        json.requireDefault("act_fn", "silu");
        // per-channel latent statistics replace the single scaling factor in later models (SDXL refiners, SD3)
        json.requireNull("latents_mean");
        json.requireNull("latents_std");
        return json.build(() -> new AutoencoderKLConfig(
                json.integer("sample_size", 32),
                json.integer("in_channels", 3),
                json.integer("out_channels", 3),
                json.strings("down_block_types", List.of("DownEncoderBlock2D"), DOWN_BLOCKS),
                json.strings("up_block_types", List.of("UpDecoderBlock2D"), UP_BLOCKS),
                json.integers("block_out_channels", List.of(64)),
                json.integer("layers_per_block", 1),
                json.integer("latent_channels", 4),
                json.integer("norm_num_groups", 32),
                json.decimal("scaling_factor", 0.18215),
                json.has("shift_factor") ? OptionalDouble.of(json.decimal("shift_factor", 0)) : OptionalDouble.empty(),
                json.bool("force_upcast", true),
                json.bool("use_quant_conv", true),
                json.bool("use_post_quant_conv", true),
                json.bool("mid_block_add_attention", true)));
    }
}
