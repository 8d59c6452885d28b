package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.TensorStore;
import java.util.List;
import java.util.SequencedMap;

/**
 * The state dict a {@link UNet2DConfig} implies: every tensor's name and shape in diffusers' module order, so a
 * checkpoint can be checked against its config before any forward pass reads it.
 */
public final class UNet2DWeights {
    private UNet2DWeights() {}

    /** Name → shape, in the order diffusers' {@code state_dict()} lists them. */
    public static SequencedMap<String, long[]> shapes(UNet2DConfig config) {
        StateDict out = new StateDict();
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        long first = channels.getFirst();
        long time = config.timeEmbeddingDim();
        out.conv("conv_in", first, config.inChannels(), StateDict.KERNEL);
        // the sinusoidal projection is as wide as the first block
        out.linear("time_embedding.linear_1", time, first);
        out.linear("time_embedding.linear_2", time, time);
        switch (config.classEmbedding()) {
            case LOOKUP -> out.shapes().put("class_embedding.weight", new long[] {config.numClassEmbeds(), time});
            case TIMESTEP -> {
                out.linear("class_embedding.linear_1", time, first);
                out.linear("class_embedding.linear_2", time, time);
            }
            case NONE -> { }
        }
        for (int i = 0; i < blocks; i++) {
            String block = "down_blocks." + i;
            long in = i == 0 ? first : channels.get(i - 1);
            long width = channels.get(i);
            if (config.downBlockTypes().get(i).startsWith("Attn")) {
                for (int j = 0; j < config.layersPerBlock(); j++) {
                    out.spatialAttention(block + ".attentions." + j, width);
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
            if (config.upBlockTypes().get(i).startsWith("Attn")) {
                for (int j = 0; j < layers; j++) out.spatialAttention(block + ".attentions." + j, width);
            }
            upResnets(out, block, channels, i, layers, time);
            if (i < blocks - 1) out.conv(block + ".upsamplers.0.conv", width, width, StateDict.KERNEL);
        }
        long deepest = channels.getLast();
        if (config.addAttention()) out.spatialAttention("mid_block.attentions.0", deepest);
        out.resnet("mid_block.resnets.0", deepest, deepest, time);
        out.resnet("mid_block.resnets.1", deepest, deepest, time);
        out.vector("conv_norm_out", first);
        out.conv("conv_out", config.outChannels(), first, StateDict.KERNEL);
        return out.shapes();
    }

    /**
     * An up block's resnets: each takes the previous output concatenated with a skip from the down path; the last
     * skip comes from the down path's first layer at this level, which has the next shallower level's width.
     */
    static void upResnets(StateDict out, String block, List<Integer> channels, int i, int layers, long time) {
        int blocks = channels.size();
        long width = channels.get(blocks - 1 - i);
        long previous = channels.get(blocks - 1 - Math.max(i - 1, 0));
        long skipIn = channels.get(blocks - 1 - Math.min(i + 1, blocks - 1));
        for (int j = 0; j < layers; j++) {
            long skip = j == layers - 1 ? skipIn : width;
            long in = j == 0 ? previous : width;
            out.resnet(block + ".resnets." + j, in + skip, width, time);
        }
    }

    /** See {@link StateDict#check}. */
    public static void check(TensorStore store, UNet2DConfig config) {
        StateDict.check(store, shapes(config));
    }
}
