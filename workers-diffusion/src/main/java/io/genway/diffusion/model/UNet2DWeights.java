package io.genway.diffusion.model;

import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.TensorInfo;
import io.genway.diffusion.safetensors.TensorStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * The state dict a {@link UNet2DConfig} implies: every tensor's name and shape in diffusers' module order, so a
 * checkpoint can be checked against its config before any forward pass reads it.
 */
public final class UNet2DWeights {
    private static final long KERNEL = 3;

    private UNet2DWeights() {}

    /** Name → shape, in the order diffusers' {@code state_dict()} lists them. */
    public static SequencedMap<String, long[]> shapes(UNet2DConfig config) {
        SequencedMap<String, long[]> out = new LinkedHashMap<>();
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        long first = channels.getFirst();
        long time = config.timeEmbeddingDim();
        conv(out, "conv_in", first, config.inChannels(), KERNEL);
        // the sinusoidal projection is as wide as the first block
        linear(out, "time_embedding.linear_1", time, first);
        linear(out, "time_embedding.linear_2", time, time);
        for (int i = 0; i < blocks; i++) {
            String block = "down_blocks." + i;
            long in = i == 0 ? first : channels.get(i - 1);
            long width = channels.get(i);
            if (config.downBlockTypes().get(i).startsWith("Attn")) {
                for (int j = 0; j < config.layersPerBlock(); j++) attention(out, block + ".attentions." + j, width);
            }
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnet(out, block + ".resnets." + j, j == 0 ? in : width, width, time);
            }
            if (i < blocks - 1) conv(out, block + ".downsamplers.0.conv", width, width, KERNEL);
        }
        for (int i = 0; i < blocks; i++) {
            String block = "up_blocks." + i;
            long width = channels.get(blocks - 1 - i);
            long previous = channels.get(blocks - 1 - Math.max(i - 1, 0));
            // the skip from the down path's first layer at this level has the next (shallower) level's width
            long skipIn = channels.get(blocks - 1 - Math.min(i + 1, blocks - 1));
            int layers = config.layersPerBlock() + 1;
            if (config.upBlockTypes().get(i).startsWith("Attn")) {
                for (int j = 0; j < layers; j++) attention(out, block + ".attentions." + j, width);
            }
            for (int j = 0; j < layers; j++) {
                long skip = j == layers - 1 ? skipIn : width;
                long in = j == 0 ? previous : width;
                resnet(out, block + ".resnets." + j, in + skip, width, time);
            }
            if (i < blocks - 1) conv(out, block + ".upsamplers.0.conv", width, width, KERNEL);
        }
        long deepest = channels.getLast();
        if (config.addAttention()) attention(out, "mid_block.attentions.0", deepest);
        resnet(out, "mid_block.resnets.0", deepest, deepest, time);
        resnet(out, "mid_block.resnets.1", deepest, deepest, time);
        vector(out, "conv_norm_out", first);
        conv(out, "conv_out", config.outChannels(), first, KERNEL);
        return out;
    }

    /**
     * Fails naming the file's tensor when {@code store} lacks one the config needs, or holds it in another shape or
     * in a dtype that is not float. Extra tensors are ignored, as diffusers ignores them with a warning.
     */
    public static void check(TensorStore store, UNet2DConfig config) {
        shapes(config).forEach((name, shape) -> {
            TensorInfo info = store.info(name);
            if (!Arrays.equals(info.shape(), shape)) {
                throw new SafetensorsException(store.path(), "tensor " + name + " has shape " + Arrays.toString(info.shape())
                        + " but the config needs " + Arrays.toString(shape));
            }
            if (!info.dtype().readsAsFloat()) {
                throw new SafetensorsException(store.path(), "tensor " + name + " has dtype " + info.dtype()
                        + "; F32, F16 or BF16 needed");
            }
        });
    }

    private static void resnet(SequencedMap<String, long[]> out, String prefix, long in, long width, long time) {
        vector(out, prefix + ".norm1", in);
        conv(out, prefix + ".conv1", width, in, KERNEL);
        linear(out, prefix + ".time_emb_proj", width, time);
        vector(out, prefix + ".norm2", width);
        conv(out, prefix + ".conv2", width, width, KERNEL);
        if (in != width) conv(out, prefix + ".conv_shortcut", width, in, 1);
    }

    private static void attention(SequencedMap<String, long[]> out, String prefix, long width) {
        vector(out, prefix + ".group_norm", width);
        for (String projection : List.of("to_q", "to_k", "to_v", "to_out.0")) {
            linear(out, prefix + "." + projection, width, width);
        }
    }

    private static void conv(SequencedMap<String, long[]> out, String prefix, long outputs, long inputs, long kernel) {
        out.put(prefix + ".weight", new long[] {outputs, inputs, kernel, kernel}); // (out, in, kh, kw)
        out.put(prefix + ".bias", new long[] {outputs});
    }

    private static void linear(SequencedMap<String, long[]> out, String prefix, long outputs, long inputs) {
        out.put(prefix + ".weight", new long[] {outputs, inputs}); // (out, in)
        out.put(prefix + ".bias", new long[] {outputs});
    }

    private static void vector(SequencedMap<String, long[]> out, String prefix, long width) {
        out.put(prefix + ".weight", new long[] {width});
        out.put(prefix + ".bias", new long[] {width});
    }
}
