package io.genway.diffusion.unet;

import io.genway.diffusion.nn.Activations;
import io.genway.diffusion.nn.Conv2d;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Linear;
import io.genway.diffusion.nn.Norms.GroupNorm;
import io.genway.diffusion.nn.Timesteps;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * The UNet both diffusers UNets share: sinusoidal time projection and MLP, conv_in, a down path whose every layer
 * output is kept as a skip, a mid block, an up path that concatenates those skips back in reverse, and a
 * norm → SiLU → conv_out head. The two models differ only in what follows each resnet ({@link Mixer}).
 *
 * <p>Immutable once built: weights are shared, every forward allocates its own activations, so concurrent calls
 * are safe.
 */
final class UNetTrunk {
    /** One resolution level: resnets, each followed by its mixer when the level has them, then a resample conv. */
    record Stage(List<ResnetBlock> resnets, List<Mixer> mixers, Conv2d resample) {
        Stage {
            resnets = List.copyOf(resnets);
            mixers = List.copyOf(mixers);
            if (!mixers.isEmpty() && mixers.size() != resnets.size()) {
                throw new IllegalArgumentException(mixers.size() + " attentions for " + resnets.size() + " resnets");
            }
        }
    }

    /** The time projection: sinusoid width and its [cos, sin] order. */
    record TimeProjection(int width, boolean flipSinToCos, double freqShift) {}

    /** Loads the mixer that follows a resnet: {@code prefix} names it, {@code level} is its resolution level. */
    @FunctionalInterface
    interface MixerLoader {
        Mixer load(String prefix, int level);
    }

    /**
     * The shape both UNets' state dicts share.
     *
     * @param mixerBlock the block-type prefix of levels that have mixers ({@code Attn}, {@code CrossAttn})
     */
    record Layout(int levels, int layersPerBlock, List<String> downBlockTypes, List<String> upBlockTypes, String mixerBlock,
                  int groups, double eps, double midScale, boolean centerInput, TimeProjection timeProjection) {}

    /** Loads the trunk from diffusers' state-dict names; the models differ only in {@code mixer} and the mid mixer. */
    static UNetTrunk load(Weights w, Layout layout, MixerLoader mixer, Mixer midMixer) {
        int levels = layout.levels();
        List<Stage> down = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            down.add(stage(w, layout, "down_blocks." + i, layout.downBlockTypes().get(i), i, layout.layersPerBlock(),
                    i < levels - 1 ? "downsamplers" : null, 2, mixer));
        }
        List<ResnetBlock> mid = List.of(ResnetBlock.load(w, "mid_block.resnets.0", layout.groups(), layout.eps(), layout.midScale()),
                ResnetBlock.load(w, "mid_block.resnets.1", layout.groups(), layout.eps(), layout.midScale()));
        List<Stage> up = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            up.add(stage(w, layout, "up_blocks." + i, layout.upBlockTypes().get(i), levels - 1 - i, layout.layersPerBlock() + 1,
                    i < levels - 1 ? "upsamplers" : null, 1, mixer));
        }
        return new UNetTrunk(layout.centerInput(), layout.timeProjection(), w.linear("time_embedding.linear_1"),
                w.linear("time_embedding.linear_2"), w.conv("conv_in", 1, 1), down, mid, midMixer, up,
                w.groupNorm("conv_norm_out", layout.groups(), layout.eps()), w.conv("conv_out", 1, 1));
    }

    private static Stage stage(Weights w, Layout layout, String prefix, String blockType, int level, int resnetCount,
                               String resampler, int resampleStride, MixerLoader mixer) {
        List<ResnetBlock> resnets = new ArrayList<>();
        List<Mixer> mixers = new ArrayList<>();
        boolean mixes = blockType.startsWith(layout.mixerBlock());
        for (int j = 0; j < resnetCount; j++) {
            resnets.add(ResnetBlock.load(w, prefix + ".resnets." + j, layout.groups(), layout.eps(), 1));
            if (mixes) mixers.add(mixer.load(prefix + ".attentions." + j, level));
        }
        Conv2d resample = resampler == null ? null : w.conv(prefix + "." + resampler + ".0.conv", resampleStride, 1);
        return new Stage(resnets, mixers, resample);
    }

    private final boolean centerInput;
    private final TimeProjection timeProjection;
    private final Linear time1;
    private final Linear time2;
    private final Conv2d convIn;
    private final List<Stage> down;
    private final List<ResnetBlock> midResnets;
    private final Mixer midMixer; // null without mid-block attention
    private final List<Stage> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    UNetTrunk(boolean centerInput, TimeProjection timeProjection, Linear time1, Linear time2, Conv2d convIn,
            List<Stage> down, List<ResnetBlock> midResnets, Mixer midMixer, List<Stage> up, GroupNorm normOut,
            Conv2d convOut) {
        this.centerInput = centerInput;
        this.timeProjection = timeProjection;
        this.time1 = time1;
        this.time2 = time2;
        this.convIn = convIn;
        this.down = List.copyOf(down);
        this.midResnets = List.copyOf(midResnets);
        this.midMixer = midMixer;
        this.up = List.copyOf(up);
        this.normOut = normOut;
        this.convOut = convOut;
    }

    /** The sinusoidal projection of each timestep, (batch, width), before the time MLP. */
    float[] timeProjection(float[] timesteps) {
        return Timesteps.project(timesteps, timeProjection.width(), timeProjection.flipSinToCos(),
                timeProjection.freqShift());
    }

    /**
     * @param timesteps one per batch element
     * @param context encoder hidden states for the cross-attention mixers, or null
     * @param extraEmbedding added to the time embedding before its SiLU (a class embedding), (batch, width), or null
     */
    FeatureMap forward(FeatureMap sample, float[] timesteps, Tokens context, float[] extraEmbedding) {
        if (timesteps.length != sample.batch()) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for a batch of " + sample.batch());
        }
        float[] emb = time2.forward(Activations.silu(time1.forward(timeProjection(timesteps), sample.batch())),
                sample.batch());
        if (extraEmbedding != null) {
            for (int i = 0; i < emb.length; i++) emb[i] += extraEmbedding[i];
        }
        float[] timeSilu = Activations.silu(emb);

        FeatureMap x = centerInput ? centered(sample) : sample;
        x = convIn.forward(x);
        List<FeatureMap> skips = new ArrayList<>();
        skips.add(x);
        for (Stage stage : down) {
            for (int j = 0; j < stage.resnets().size(); j++) {
                x = stage.resnets().get(j).forward(x, timeSilu);
                if (!stage.mixers().isEmpty()) x = stage.mixers().get(j).forward(x, context);
                skips.add(x);
            }
            if (stage.resample() != null) {
                x = stage.resample().forward(x);
                skips.add(x);
            }
        }
        x = midResnets.getFirst().forward(x, timeSilu);
        if (midMixer != null) x = midMixer.forward(x, context);
        x = midResnets.get(1).forward(x, timeSilu);
        for (Stage stage : up) {
            for (int j = 0; j < stage.resnets().size(); j++) {
                x = stage.resnets().get(j).forward(x.concatChannels(skips.removeLast()), timeSilu);
                if (!stage.mixers().isEmpty()) x = stage.mixers().get(j).forward(x, context);
            }
            if (stage.resample() != null) {
                // back to the size of the skip the next level concatenates: twice this one's, unless a side was
                // odd on the way down (a stride-2 conv rounds up), as diffusers' forward_upsample_size does
                FeatureMap next = skips.getLast();
                x = stage.resample().forward(upsampleNearest(x, next.height(), next.width()));
            }
        }
        return convOut.forward(normOut.forward(x, true));
    }

    /**
     * {@code x} resized to (height, width) as torch's {@code F.interpolate(x, size, mode="nearest")} does: output
     * index i reads input index min(floor(i · in/out), in − 1), with the ratio and product in float.
     */
    static FeatureMap upsampleNearest(FeatureMap x, int height, int width) {
        if (height == 2 * x.height() && width == 2 * x.width()) return x.upsampleNearest2x();
        int[] rows = nearestSources(x.height(), height);
        int[] cols = nearestSources(x.width(), width);
        float[] in = x.data();
        float[] out = new float[x.batch() * x.channels() * height * width];
        for (int p = 0; p < x.batch() * x.channels(); p++) {
            for (int y = 0; y < height; y++) {
                int src = (p * x.height() + rows[y]) * x.width();
                int dst = (p * height + y) * width;
                for (int c = 0; c < width; c++) out[dst + c] = in[src + cols[c]];
            }
        }
        return new FeatureMap(x.batch(), x.channels(), height, width, out);
    }

    private static int[] nearestSources(int in, int out) {
        float scale = (float) in / out;
        int[] sources = new int[out];
        for (int i = 0; i < out; i++) {
            sources[i] = out == 2 * in ? i >> 1 : Math.min((int) Math.floor(i * scale), in - 1);
        }
        return sources;
    }

    private static FeatureMap centered(FeatureMap sample) {
        float[] out = new float[sample.data().length];
        for (int i = 0; i < out.length; i++) out[i] = 2 * sample.data()[i] - 1;
        return new FeatureMap(sample.batch(), sample.channels(), sample.height(), sample.width(), out);
    }
}
