package io.genway.diffusion.unet;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DConditionConfig;
import io.genway.diffusion.model.UNet2DConditionWeights;
import io.genway.diffusion.nn.Conv2d;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.nn.Weights;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * diffusers' {@code UNet2DConditionModel} for the Stable Diffusion 1.x/2.x family: CrossAttnDownBlock2D and
 * DownBlock2D, UNetMidBlock2DCrossAttn, CrossAttnUpBlock2D and UpBlock2D, each cross-attention block a
 * {@link Transformer2D} over the text encoder's hidden states.
 *
 * <p>Weights are read once into floats and shared; {@link #predict} allocates its own activations, so one instance
 * serves concurrent callers. Several requests (and classifier-free guidance's conditional and unconditional halves)
 * run as one batch: each batch element has its own latents, timestep and text states.
 */
public final class UNet2DConditionModel {
    private final UNet2DConditionConfig config;
    private final UNetTrunk trunk;

    private UNet2DConditionModel(UNet2DConditionConfig config, UNetTrunk trunk) {
        this.config = config;
        this.trunk = trunk;
    }

    /** Loads the folder's {@code unet} component. */
    public static UNet2DConditionModel load(DiffusersFolder folder) throws IOException {
        return load(folder, "unet");
    }

    public static UNet2DConditionModel load(DiffusersFolder folder, String component) throws IOException {
        UNet2DConditionConfig config = folder.unet2DCondition(component);
        try (TensorStore store = folder.weights(component)) {
            return load(config, store);
        }
    }

    /** Checks {@code store} against the config's state dict, then copies every weight out of it. */
    public static UNet2DConditionModel load(UNet2DConditionConfig config, TensorStore store) {
        UNet2DConditionWeights.check(store, config);
        if (config.downsamplePadding() != 1) {
            throw new IllegalArgumentException("downsample_padding " + config.downsamplePadding()
                    + " is not supported (only 1)");
        }
        Weights w = new Weights(store);
        List<Integer> channels = config.blockOutChannels();
        List<Integer> heads = config.attentionHeads();
        List<Integer> layers = config.transformerLayersPerBlock();
        int blocks = channels.size();
        int groups = config.normNumGroups();
        double eps = config.normEps();
        boolean linear = config.useLinearProjection();
        List<UNetTrunk.Stage> down = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            String prefix = "down_blocks." + i;
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Mixer> mixers = new ArrayList<>();
            boolean cross = config.downBlockTypes().get(i).startsWith("CrossAttn");
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, groups, eps, 1));
                if (cross) {
                    mixers.add(Transformer2D.load(w, prefix + ".attentions." + j, groups, heads.get(i), layers.get(i),
                            linear));
                }
            }
            Conv2d resample = i < blocks - 1 ? w.conv(prefix + ".downsamplers.0.conv", 2, 1) : null;
            down.add(new UNetTrunk.Stage(resnets, mixers, resample));
        }
        double midScale = config.midBlockScaleFactor();
        List<ResnetBlock> mid = List.of(ResnetBlock.load(w, "mid_block.resnets.0", groups, eps, midScale),
                ResnetBlock.load(w, "mid_block.resnets.1", groups, eps, midScale));
        Mixer midAttention = Transformer2D.load(w, "mid_block.attentions.0", groups, heads.getLast(),
                layers.getLast(), linear);
        List<UNetTrunk.Stage> up = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            String prefix = "up_blocks." + i;
            int mirrored = blocks - 1 - i;
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Mixer> mixers = new ArrayList<>();
            boolean cross = config.upBlockTypes().get(i).startsWith("CrossAttn");
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, groups, eps, 1));
                if (cross) {
                    mixers.add(Transformer2D.load(w, prefix + ".attentions." + j, groups, heads.get(mirrored),
                            layers.get(mirrored), linear));
                }
            }
            Conv2d resample = i < blocks - 1 ? w.conv(prefix + ".upsamplers.0.conv", 1, 1) : null;
            up.add(new UNetTrunk.Stage(resnets, mixers, resample));
        }
        UNetTrunk trunk = new UNetTrunk(config.centerInputSample(),
                new UNetTrunk.TimeProjection(channels.getFirst(), config.flipSinToCos(), config.freqShift()),
                w.linear("time_embedding.linear_1"), w.linear("time_embedding.linear_2"), w.conv("conv_in", 1, 1),
                down, mid, midAttention, up, w.groupNorm("conv_norm_out", groups, eps), w.conv("conv_out", 1, 1));
        return new UNet2DConditionModel(config, trunk);
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /**
     * The noise (or v / sample, per the scheduler's prediction type) predicted for {@code latents}.
     *
     * @param latents (batch, in_channels, h, w), h and w multiples of 2^(levels − 1)
     * @param timestep the same timestep for every batch element
     * @param encoderHiddenStates (batch, sequence, cross_attention_dim), element n conditioning latents n
     * @return (batch, out_channels, h, w)
     */
    public FeatureMap predict(FeatureMap latents, float timestep, Tokens encoderHiddenStates) {
        float[] timesteps = new float[latents.batch()];
        Arrays.fill(timesteps, timestep);
        return predict(latents, timesteps, encoderHiddenStates);
    }

    /** {@link #predict(FeatureMap, float, Tokens)} with one timestep per batch element. */
    public FeatureMap predict(FeatureMap latents, float[] timesteps, Tokens encoderHiddenStates) {
        if (latents.channels() != config.inChannels()) {
            throw new IllegalArgumentException("latents have " + latents.channels() + " channels, in_channels is "
                    + config.inChannels());
        }
        if (encoderHiddenStates.dim() != config.crossAttentionDim()) {
            throw new IllegalArgumentException("encoder hidden states have width " + encoderHiddenStates.dim()
                    + ", cross_attention_dim is " + config.crossAttentionDim());
        }
        if (encoderHiddenStates.batch() != latents.batch()) {
            throw new IllegalArgumentException("encoder hidden states have batch " + encoderHiddenStates.batch()
                    + ", latents " + latents.batch());
        }
        return trunk.forward(latents, timesteps, encoderHiddenStates, null);
    }
}
