package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.TensorStore;
import java.util.List;
import java.util.SequencedMap;

/**
 * The state dict an {@link AutoencoderKLConfig} implies: encoder, decoder and the 1x1 quantisation convs, names and
 * shapes in diffusers' module order. Its resnets have no time embedding.
 */
public final class AutoencoderKLWeights {
    private static final long NO_TIME = 0;

    private AutoencoderKLWeights() {}

    /** Name → shape, in the order diffusers' {@code state_dict()} lists them. */
    public static SequencedMap<String, long[]> shapes(AutoencoderKLConfig config) {
        StateDict out = new StateDict();
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        long latent = config.latentChannels();
        long deepest = channels.getLast();
        out.conv("encoder.conv_in", channels.getFirst(), config.inChannels(), StateDict.KERNEL);
        for (int i = 0; i < blocks; i++) {
            String block = "encoder.down_blocks." + i;
            long in = i == 0 ? channels.getFirst() : channels.get(i - 1);
            long width = channels.get(i);
            for (int j = 0; j < config.layersPerBlock(); j++) {
                out.resnet(block + ".resnets." + j, j == 0 ? in : width, width, NO_TIME);
            }
            if (i < blocks - 1) out.conv(block + ".downsamplers.0.conv", width, width, StateDict.KERNEL);
        }
        midBlock(out, "encoder.mid_block", deepest, config);
        out.vector("encoder.conv_norm_out", deepest);
        // mean and log-variance of the latent distribution
        out.conv("encoder.conv_out", 2 * latent, deepest, StateDict.KERNEL);
        out.conv("decoder.conv_in", deepest, latent, StateDict.KERNEL);
        for (int i = 0; i < blocks; i++) {
            String block = "decoder.up_blocks." + i;
            long width = channels.get(blocks - 1 - i);
            long previous = channels.get(blocks - 1 - Math.max(i - 1, 0));
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                out.resnet(block + ".resnets." + j, j == 0 ? previous : width, width, NO_TIME);
            }
            if (i < blocks - 1) out.conv(block + ".upsamplers.0.conv", width, width, StateDict.KERNEL);
        }
        midBlock(out, "decoder.mid_block", deepest, config);
        out.vector("decoder.conv_norm_out", channels.getFirst());
        out.conv("decoder.conv_out", config.outChannels(), channels.getFirst(), StateDict.KERNEL);
        if (config.useQuantConv()) out.conv("quant_conv", 2 * latent, 2 * latent, 1);
        if (config.usePostQuantConv()) out.conv("post_quant_conv", latent, latent, 1);
        return out.shapes();
    }

    /** See {@link StateDict#check}. */
    public static void check(TensorStore store, AutoencoderKLConfig config) {
        StateDict.check(store, shapes(config));
    }

    private static void midBlock(StateDict out, String prefix, long width, AutoencoderKLConfig config) {
        if (config.midBlockAddAttention()) out.spatialAttention(prefix + ".attentions.0", width);
        out.resnet(prefix + ".resnets.0", width, width, NO_TIME);
        out.resnet(prefix + ".resnets.1", width, width, NO_TIME);
    }
}
