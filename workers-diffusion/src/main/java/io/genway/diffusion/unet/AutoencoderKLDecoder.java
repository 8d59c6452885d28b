package io.genway.diffusion.unet;

import io.genway.diffusion.model.AutoencoderKLConfig;
import io.genway.diffusion.model.AutoencoderKLWeights;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.nn.Conv2d;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Norms.GroupNorm;
import io.genway.diffusion.nn.Weights;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder half of diffusers' {@code AutoencoderKL}: latents ÷ scaling factor (after removing the shift, where
 * the config has one), post_quant_conv, conv_in, a mid block with single-head self-attention, up blocks that
 * double the resolution between levels, norm → SiLU → conv_out. Output is the image, nominally in [-1, 1] (not
 * clamped). Thread-safe as the UNets are.
 */
public final class AutoencoderKLDecoder {
    /** The VAE's norms all use this epsilon, whatever the UNet's config says. */
    private static final double EPS = 1e-6;

    private final AutoencoderKLConfig config;
    private final Conv2d postQuant; // null without post_quant_conv
    private final Conv2d convIn;
    private final List<ResnetBlock> midResnets;
    private final SpatialAttention midAttention; // null without mid-block attention
    private final List<UNetTrunk.Stage> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    private AutoencoderKLDecoder(AutoencoderKLConfig config, Conv2d postQuant, Conv2d convIn,
            List<ResnetBlock> midResnets, SpatialAttention midAttention, List<UNetTrunk.Stage> up, GroupNorm normOut,
            Conv2d convOut) {
        this.config = config;
        this.postQuant = postQuant;
        this.convIn = convIn;
        this.midResnets = List.copyOf(midResnets);
        this.midAttention = midAttention;
        this.up = List.copyOf(up);
        this.normOut = normOut;
        this.convOut = convOut;
    }

    /** Loads the folder's {@code vae} component. */
    public static AutoencoderKLDecoder load(DiffusersFolder folder) throws IOException {
        return load(folder, "vae");
    }

    public static AutoencoderKLDecoder load(DiffusersFolder folder, String component) throws IOException {
        AutoencoderKLConfig config = folder.autoencoderKL(component);
        try (TensorStore store = folder.weights(component)) {
            return load(config, store);
        }
    }

    /** Checks {@code store} against the config's whole state dict (encoder too), then copies the decoder's weights. */
    public static AutoencoderKLDecoder load(AutoencoderKLConfig config, TensorStore store) {
        AutoencoderKLWeights.check(store, config);
        Weights w = new Weights(store);
        int groups = config.normNumGroups();
        List<Integer> channels = config.blockOutChannels();
        int blocks = channels.size();
        List<ResnetBlock> mid = List.of(ResnetBlock.load(w, "decoder.mid_block.resnets.0", groups, EPS, 1),
                ResnetBlock.load(w, "decoder.mid_block.resnets.1", groups, EPS, 1));
        // one head spanning the deepest width
        SpatialAttention attention = config.midBlockAddAttention()
                ? SpatialAttention.load(w, "decoder.mid_block.attentions.0", groups, EPS, channels.getLast(), 1)
                : null;
        List<UNetTrunk.Stage> up = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            String prefix = "decoder.up_blocks." + i;
            List<ResnetBlock> resnets = new ArrayList<>();
            for (int j = 0; j < config.layersPerBlock() + 1; j++) {
                resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, groups, EPS, 1));
            }
            Conv2d resample = i < blocks - 1 ? w.conv(prefix + ".upsamplers.0.conv", 1, 1) : null;
            up.add(new UNetTrunk.Stage(resnets, List.of(), resample));
        }
        return new AutoencoderKLDecoder(config,
                config.usePostQuantConv() ? w.conv("post_quant_conv", 1, 0) : null,
                w.conv("decoder.conv_in", 1, 1), mid, attention, up,
                w.groupNorm("decoder.conv_norm_out", groups, EPS), w.conv("decoder.conv_out", 1, 1));
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    /** Pixels per latent along each side. */
    public int upscale() {
        return 1 << (config.blockOutChannels().size() - 1);
    }

    /**
     * Decodes denoised latents, as a pipeline does: divided by the scaling factor first.
     *
     * @param latents (batch, latent_channels, h, w)
     * @return (batch, out_channels, h · {@link #upscale()}, w · {@link #upscale()}), nominally in [-1, 1]
     */
    public FeatureMap decode(FeatureMap latents) {
        if (latents.channels() != config.latentChannels()) {
            throw new IllegalArgumentException("latents have " + latents.channels() + " channels, latent_channels is "
                    + config.latentChannels());
        }
        float scale = (float) config.scalingFactor();
        float shift = (float) config.shiftFactor().orElse(0);
        float[] z = new float[latents.data().length];
        for (int i = 0; i < z.length; i++) z[i] = latents.data()[i] / scale + shift;
        FeatureMap x = new FeatureMap(latents.batch(), latents.channels(), latents.height(), latents.width(), z);
        if (postQuant != null) x = postQuant.forward(x);
        x = convIn.forward(x);
        x = midResnets.getFirst().forward(x, null);
        if (midAttention != null) x = midAttention.forward(x, null);
        x = midResnets.get(1).forward(x, null);
        for (UNetTrunk.Stage stage : up) {
            for (ResnetBlock resnet : stage.resnets()) x = resnet.forward(x, null);
            if (stage.resample() != null) x = stage.resample().forward(x.upsampleNearest2x());
        }
        return convOut.forward(normOut.forward(x, true));
    }
}
