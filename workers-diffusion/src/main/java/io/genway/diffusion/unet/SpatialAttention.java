package io.genway.diffusion.unet;

import io.genway.diffusion.nn.Attention;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Linear;
import io.genway.diffusion.nn.Norms.GroupNorm;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.nn.Weights;

/**
 * Self-attention over a feature map's pixels (the Attention module of AttnDownBlock2D, UNetMidBlock2D and the VAE):
 * group norm, biased q/k/v projections, multi-head attention, output projection, plus the input, divided by the
 * rescale factor.
 */
final class SpatialAttention implements Mixer {
    private final GroupNorm norm;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final int heads;
    private final float rescale;

    private SpatialAttention(GroupNorm norm, Linear query, Linear key, Linear value, Linear output, int heads,
            float rescale) {
        this.norm = norm;
        this.query = query;
        this.key = key;
        this.value = value;
        this.output = output;
        this.heads = heads;
        this.rescale = rescale;
    }

    static SpatialAttention load(Weights weights, String prefix, int groups, double eps, int headDim,
            double rescale) {
        Linear query = weights.linear(prefix + ".to_q");
        return new SpatialAttention(weights.groupNorm(prefix + ".group_norm", groups, eps), query,
                weights.linear(prefix + ".to_k"), weights.linear(prefix + ".to_v"),
                weights.linear(prefix + ".to_out.0"), query.out() / headDim, (float) rescale);
    }

    @Override
    public FeatureMap forward(FeatureMap x, Tokens context) {
        Tokens h = Tokens.fromFeatureMap(norm.forward(x, false));
        Tokens attended = Attention.forward(query.forward(h), key.forward(h), value.forward(h), heads);
        return output.forward(attended).toFeatureMap(x.height(), x.width()).plusScaled(x, rescale);
    }
}
