package io.genway.diffusion.unet;

import io.genway.diffusion.nn.Conv2d;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Linear;
import io.genway.diffusion.nn.Norms.GroupNorm;
import io.genway.diffusion.nn.Weights;

/**
 * diffusers' ResnetBlock2D with the default time-scale shift: norm1 → SiLU → conv1, plus the projected time
 * embedding per channel, norm2 → SiLU → conv2, added to the input (through a 1x1 conv when the width changes) and
 * divided by the output scale factor. The VAE's blocks have no time projection.
 */
final class ResnetBlock {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeProjection; // null in the VAE
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut; // null when in == out
    private final float outputScale;

    private ResnetBlock(GroupNorm norm1, Conv2d conv1, Linear timeProjection, GroupNorm norm2, Conv2d conv2,
            Conv2d shortcut, float outputScale) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeProjection = timeProjection;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
        this.outputScale = outputScale;
    }

    static ResnetBlock load(Weights weights, String prefix, int groups, double eps, double outputScale) {
        return new ResnetBlock(
                weights.groupNorm(prefix + ".norm1", groups, eps),
                weights.conv(prefix + ".conv1", 1, 1),
                weights.has(prefix + ".time_emb_proj") ? weights.linear(prefix + ".time_emb_proj") : null,
                weights.groupNorm(prefix + ".norm2", groups, eps),
                weights.conv(prefix + ".conv2", 1, 1),
                weights.has(prefix + ".conv_shortcut") ? weights.conv(prefix + ".conv_shortcut", 1, 0) : null,
                (float) outputScale);
    }

    /** @param timeSilu SiLU of the time embedding, (batch, time width); null for the VAE */
    FeatureMap forward(FeatureMap x, float[] timeSilu) {
        FeatureMap h = conv1.forward(norm1.forward(x, true));
        if (timeProjection != null) h = h.plusPerChannel(timeProjection.forward(timeSilu, x.batch()));
        h = conv2.forward(norm2.forward(h, true));
        FeatureMap skip = shortcut == null ? x : shortcut.forward(x);
        return skip.plusScaled(h, outputScale);
    }
}
