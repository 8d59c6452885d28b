package io.genway.diffusion.unet;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DConditionConfig;
import io.genway.diffusion.model.UNet2DConditionWeights;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.nn.Weights;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
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
        List<Integer> heads = config.attentionHeads();
        List<Integer> layers = config.transformerLayersPerBlock();
        int groups = config.normNumGroups();
        boolean linear = config.useLinearProjection();
        UNetTrunk.Layout layout = new UNetTrunk.Layout(config.blockOutChannels().size(), config.layersPerBlock(),
                config.downBlockTypes(), config.upBlockTypes(), "CrossAttn", groups, config.normEps(), config.midBlockScaleFactor(),
                config.centerInputSample(),
                new UNetTrunk.TimeProjection(config.blockOutChannels().getFirst(), config.flipSinToCos(), config.freqShift()));
        Mixer midAttention = Transformer2D.load(w, "mid_block.attentions.0", groups, heads.getLast(), layers.getLast(), linear);
        UNetTrunk trunk = UNetTrunk.load(w, layout,
                (prefix, level) -> Transformer2D.load(w, prefix, groups, heads.get(level), layers.get(level), linear), midAttention);
        return new UNet2DConditionModel(config, trunk);
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    /**
     * The noise (or v / sample, per the scheduler's prediction type) predicted for {@code latents}.
     *
     * @param latents (batch, in_channels, h, w); sides that are not multiples of 2^(levels − 1) work as in diffusers
     *     (each downsampling rounds up, each upsampling returns to its skip's size)
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
