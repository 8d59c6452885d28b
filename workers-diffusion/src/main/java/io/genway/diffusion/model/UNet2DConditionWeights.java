package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.TensorStore;
import java.util.List;
import java.util.SequencedMap;

/**
 * The state dict a {@link UNet2DConditionConfig} implies: every tensor's name and shape in diffusers' module order,
 * so a checkpoint can be checked against its config before any forward pass reads it.
 */
public final class UNet2DConditionWeights {
    /** GEGLU feed-forward: the hidden width is 4 × the model width, and its input projection doubles that. */
    private static final long FEED_FORWARD_MULT = 4;

    private UNet2DConditionWeights() {}

    /** Name → shape, in the order diffusers' {@code state_dict()} lists them. */
    public static SequencedMap<String, long[]> shapes(UNet2DConditionConfig config) {
        StateDict out = new StateDict();
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        long first = channels.getFirst();
        long time = first * 4;
        out.conv("conv_in", first, config.inChannels(), StateDict.KERNEL);
        out.linear("time_embedding.linear_1", time, first);
        out.linear("time_embedding.linear_2", time, time);
        for (int i = 0; i < blocks; i++) {
            String block = "down_blocks." + i;
            long in = i == 0 ? first : channels.get(i - 1);
            long width = channels.get(i);
            if (config.downBlockTypes().get(i).startsWith("CrossAttn")) {
                for (int j = 0; j < config.layersPerBlock(); j++) {
                    transformer(out, block + ".attentions." + j, width, config.transformerLayersPerBlock().get(i),
                            config);
                }
            }
            for (int j = 0; j < config.layersPerBlock(); j++) {
                out.resnet(block + ".resnets." + j, j == 0 ? in : width, width, time);
            }
            if (i < blocks - 1) out.conv(block + ".downsamplers.0.conv", width, width, StateDict.KERNEL);
        }
        for (int i = 0; i < blocks; i++) {
            String block = "up_blocks." + i;
            long width = channels.get(blocks - 1 - i);
            int layers = config.layersPerBlock() + 1;
            // up blocks mirror the down path, so they take its per-block settings in reverse
            int mirrored = blocks - 1 - i;
            if (config.upBlockTypes().get(i).startsWith("CrossAttn")) {
                for (int j = 0; j < layers; j++) {
                    transformer(out, block + ".attentions." + j, width,
                            config.transformerLayersPerBlock().get(mirrored), config);
                }
            }
            UNet2DWeights.upResnets(out, block, channels, i, layers, time);
            if (i < blocks - 1) out.conv(block + ".upsamplers.0.conv", width, width, StateDict.KERNEL);
        }
        long deepest = channels.getLast();
        transformer(out, "mid_block.attentions.0", deepest, config.transformerLayersPerBlock().getLast(), config);
        out.resnet("mid_block.resnets.0", deepest, deepest, time);
        out.resnet("mid_block.resnets.1", deepest, deepest, time);
        out.vector("conv_norm_out", first);
        out.conv("conv_out", config.outChannels(), first, StateDict.KERNEL);
        return out.shapes();
    }

    /** See {@link StateDict#check}. */
    public static void check(TensorStore store, UNet2DConditionConfig config) {
        StateDict.check(store, shapes(config));
    }

    /**
     * Transformer2DModel: group norm, projection in (1x1 conv, or linear for SD 2.x), transformer blocks of
     * self-attention, cross-attention to the text states and a GEGLU feed-forward, projection out. Heads split the
     * width, so the inner width equals the block's.
     */
    private static void transformer(
            StateDict out, String prefix, long width, int layers, UNet2DConditionConfig config) {
        out.vector(prefix + ".norm", width);
        project(out, prefix + ".proj_in", width, config.useLinearProjection());
        for (int t = 0; t < layers; t++) {
            String block = prefix + ".transformer_blocks." + t;
            out.vector(block + ".norm1", width);
            attention(out, block + ".attn1", width, width);
            out.vector(block + ".norm2", width);
            attention(out, block + ".attn2", width, config.crossAttentionDim());
            out.vector(block + ".norm3", width);
            out.linear(block + ".ff.net.0.proj", 2 * FEED_FORWARD_MULT * width, width);
            out.linear(block + ".ff.net.2", width, FEED_FORWARD_MULT * width);
        }
        project(out, prefix + ".proj_out", width, config.useLinearProjection());
    }

    /** Query from the feature map, keys and values from {@code context} (itself, or the text encoder's states). */
    private static void attention(StateDict out, String prefix, long width, long context) {
        out.unbiased(prefix + ".to_q", width, width);
        out.unbiased(prefix + ".to_k", width, context);
        out.unbiased(prefix + ".to_v", width, context);
        out.linear(prefix + ".to_out.0", width, width);
    }

    private static void project(StateDict out, String prefix, long width, boolean linear) {
        if (linear) {
            out.linear(prefix, width, width);
        } else {
            out.conv(prefix, width, width, 1);
        }
    }
}
