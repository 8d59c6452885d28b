package io.genway.diffusion.unet;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DConfig;
import io.genway.diffusion.model.UNet2DWeights;
import io.genway.diffusion.nn.Conv2d;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Weights;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UNet2DModel}: the unconditional UNet of DDPM-style pixel or latent models (DownBlock2D,
 * AttnDownBlock2D and their up counterparts, UNetMidBlock2D). Weights are read once into floats and shared; every
 * {@link #predict} call allocates its own activations, so one instance serves concurrent callers.
 */
public final class UNet2DModel {
    private final UNet2DConfig config;
    private final UNetTrunk trunk;

    private UNet2DModel(UNet2DConfig config, UNetTrunk trunk) {
        this.config = config;
        this.trunk = trunk;
    }

    /** Loads the folder's {@code unet} component. */
    public static UNet2DModel load(DiffusersFolder folder) throws IOException {
        return load(folder, "unet");
    }

    public static UNet2DModel load(DiffusersFolder folder, String component) throws IOException {
        UNet2DConfig config = folder.unet2D(component);
        try (TensorStore store = folder.weights(component)) {
            return load(config, store);
        }
    }

    /** Checks {@code store} against the config's state dict, then copies every weight out of it. */
    public static UNet2DModel load(UNet2DConfig config, TensorStore store) {
        UNet2DWeights.check(store, config);
        if (config.downsamplePadding() != 1) {
            throw new IllegalArgumentException("downsample_padding " + config.downsamplePadding()
                    + " is not supported (only 1)");
        }
        Weights w = new Weights(store);
        List<Integer> channels = config.blockOutChannels();
        List<Integer> headDims = config.attentionHeadDims();
        int blocks = channels.size();
        int groups = config.normNumGroups();
        int attnGroups = config.attentionNormGroups();
        double eps = config.normEps();
        List<UNetTrunk.Stage> down = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            String prefix = "down_blocks." + i;
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Mixer> mixers = new ArrayList<>();
            boolean attention = config.downBlockTypes().get(i).startsWith("Attn");
            for (int j = 0; j < config.layersPerBlock(); j++) {
                resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, groups, eps, 1));
                if (attention) {
                    mixers.add(SpatialAttention.load(w, prefix + ".attentions." + j, attnGroups, eps, headDims.get(i),
                            1));
                }
            }
            Conv2d resample = i < blocks - 1 ? w.conv(prefix + ".downsamplers.0.conv", 2, 1) : null;
            down.add(new UNetTrunk.Stage(resnets, mixers, resample));
        }
        double midScale = config.midBlockScaleFactor();
        List<ResnetBlock> mid = List.of(ResnetBlock.load(w, "mid_block.resnets.0", groups, eps, midScale),
                ResnetBlock.load(w, "mid_block.resnets.1", groups, eps, midScale));
        Mixer midAttention = config.addAttention()
                ? SpatialAttention.load(w, "mid_block.attentions.0", attnGroups, eps, headDims.getLast(), midScale)
                : null;
        List<UNetTrunk.Stage> up = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            String prefix = "up_blocks." + i;
            int mirrored = blocks - 1 - i;
            List<ResnetBlock> resnets = new ArrayList<>();
            List<Mixer> mixers = new ArrayList<>();
            boolean attention = config.upBlockTypes().get(i).startsWith("Attn");
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, groups, eps, 1));
                if (attention) {
                    mixers.add(SpatialAttention.load(w, prefix + ".attentions." + j, attnGroups, eps,
                            headDims.get(mirrored), 1));
                }
            }
            Conv2d resample = i < blocks - 1 ? w.conv(prefix + ".upsamplers.0.conv", 1, 1) : null;
            up.add(new UNetTrunk.Stage(resnets, mixers, resample));
        }
        UNetTrunk trunk = new UNetTrunk(config.centerInputSample(),
                new UNetTrunk.TimeProjection(channels.getFirst(), config.flipSinToCos(), config.freqShift()),
                w.linear("time_embedding.linear_1"), w.linear("time_embedding.linear_2"), w.conv("conv_in", 1, 1),
                down, mid, midAttention, up, w.groupNorm("conv_norm_out", groups, eps), w.conv("conv_out", 1, 1));
        return new UNet2DModel(config, trunk);
    }

    public UNet2DConfig config() {
        return config;
    }

    /** The model output for {@code sample} (batch, in_channels, h, w) at one timestep for the whole batch. */
    public FeatureMap predict(FeatureMap sample, float timestep) {
        float[] timesteps = new float[sample.batch()];
        java.util.Arrays.fill(timesteps, timestep);
        return predict(sample, timesteps);
    }

    /** The model output with one timestep per batch element. */
    public FeatureMap predict(FeatureMap sample, float[] timesteps) {
        requireChannels(sample);
        return trunk.forward(sample, timesteps, null, null);
    }

    /** The sinusoidal time projection (before the time MLP), for checking against references. */
    public float[] timeProjection(float timestep) {
        return trunk.timeProjection(new float[] {timestep});
    }

    private void requireChannels(FeatureMap sample) {
        if (sample.channels() != config.inChannels()) {
            throw new IllegalArgumentException("sample has " + sample.channels() + " channels, in_channels is "
                    + config.inChannels());
        }
    }
}
