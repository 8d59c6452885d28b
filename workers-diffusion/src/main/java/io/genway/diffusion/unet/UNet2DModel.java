package io.genway.diffusion.unet;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.UNet2DConfig;
import io.genway.diffusion.model.UNet2DWeights;
import io.genway.diffusion.nn.Activations;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Linear;
import io.genway.diffusion.nn.Weights;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.util.List;

/**
 * diffusers' {@code UNet2DModel}: the unconditional UNet of DDPM-style pixel or latent models (DownBlock2D,
 * AttnDownBlock2D and their up counterparts, UNetMidBlock2D), optionally class-conditional. Weights are read once
 * into floats and shared; every {@link #predict} call allocates its own activations, so one instance serves
 * concurrent callers.
 */
public final class UNet2DModel {
    private final UNet2DConfig config;
    private final UNetTrunk trunk;
    private final float[] classTable; // (num_class_embeds, time width) for a lookup, else null
    private final Linear class1; // the TIMESTEP class embedding's MLP, else null
    private final Linear class2;

    private UNet2DModel(UNet2DConfig config, UNetTrunk trunk, float[] classTable, Linear class1, Linear class2) {
        this.config = config;
        this.trunk = trunk;
        this.classTable = classTable;
        this.class1 = class1;
        this.class2 = class2;
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
        List<Integer> headDims = config.attentionHeadDims();
        int attnGroups = config.attentionNormGroups();
        double eps = config.normEps();
        double midScale = config.midBlockScaleFactor();
        UNetTrunk.Layout layout = new UNetTrunk.Layout(config.blockOutChannels().size(), config.layersPerBlock(),
                config.downBlockTypes(), config.upBlockTypes(), "Attn", config.normNumGroups(), eps, midScale,
                config.centerInputSample(),
                new UNetTrunk.TimeProjection(config.blockOutChannels().getFirst(), config.flipSinToCos(), config.freqShift()));
        Mixer midAttention = config.addAttention()
                ? SpatialAttention.load(w, "mid_block.attentions.0", attnGroups, eps, headDims.getLast(), midScale)
                : null;
        UNetTrunk trunk = UNetTrunk.load(w, layout,
                (prefix, level) -> SpatialAttention.load(w, prefix, attnGroups, eps, headDims.get(level), 1), midAttention);
        return switch (config.classEmbedding()) {
            case NONE -> new UNet2DModel(config, trunk, null, null, null);
            case LOOKUP -> new UNet2DModel(config, trunk, w.tensor("class_embedding.weight"), null, null);
            case TIMESTEP -> new UNet2DModel(config, trunk, null, w.linear("class_embedding.linear_1"),
                    w.linear("class_embedding.linear_2"));
        };
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

    /** The model output with one timestep per batch element; an unconditional model only. */
    public FeatureMap predict(FeatureMap sample, float[] timesteps) {
        if (config.classConditional()) {
            throw new IllegalArgumentException("this UNet2DModel is class-conditional: pass a class label per sample");
        }
        requireChannels(sample);
        return trunk.forward(sample, timesteps, null, null);
    }

    /**
     * A class-conditional model's output: {@code classLabels[n]} conditions batch element n (its embedding is added
     * to the time embedding).
     */
    public FeatureMap predict(FeatureMap sample, float[] timesteps, int[] classLabels) {
        if (!config.classConditional()) {
            throw new IllegalArgumentException("this UNet2DModel has no class embedding (num_class_embeds and"
                    + " class_embed_type are unset): predict without labels");
        }
        requireChannels(sample);
        if (classLabels.length != sample.batch()) {
            throw new IllegalArgumentException(classLabels.length + " class labels for a batch of " + sample.batch());
        }
        return trunk.forward(sample, timesteps, null, classEmbedding(classLabels));
    }

    /** (batch, time width): table rows, or the labels' sinusoids through the class MLP. */
    private float[] classEmbedding(int[] labels) {
        int width = config.timeEmbeddingDim();
        if (classTable != null) {
            float[] out = new float[labels.length * width];
            for (int n = 0; n < labels.length; n++) {
                if (labels[n] < 0 || labels[n] >= config.numClassEmbeds()) {
                    throw new IllegalArgumentException("class label " + labels[n] + " is outside [0, "
                            + config.numClassEmbeds() + ")");
                }
                System.arraycopy(classTable, labels[n] * width, out, n * width, width);
            }
            return out;
        }
        float[] asTimesteps = new float[labels.length];
        for (int n = 0; n < labels.length; n++) asTimesteps[n] = labels[n];
        return class2.forward(Activations.silu(class1.forward(trunk.timeProjection(asTimesteps), labels.length)),
                labels.length);
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
