package io.genway.diffusion.unet;

import io.genway.diffusion.nn.Activations;
import io.genway.diffusion.nn.Attention;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Linear;
import io.genway.diffusion.nn.Norms.GroupNorm;
import io.genway.diffusion.nn.Norms.LayerNorm;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.nn.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' Transformer2DModel as Stable Diffusion uses it: group norm (eps 1e-6), projection in, transformer
 * blocks over the pixels as tokens, projection out, plus the input. The projections are 1x1 convs (SD 1.x) or linear
 * layers (SD 2.x, {@code use_linear_projection}); on tokens both are the same (out, in) matrix, so both run as
 * {@link Linear} on the token layout.
 */
final class Transformer2D implements Mixer {
    private static final double GROUP_NORM_EPS = 1e-6;
    private static final double LAYER_NORM_EPS = 1e-5;

    private final GroupNorm norm;
    private final Linear projectIn;
    private final List<Block> blocks;
    private final Linear projectOut;

    private Transformer2D(GroupNorm norm, Linear projectIn, List<Block> blocks, Linear projectOut) {
        this.norm = norm;
        this.projectIn = projectIn;
        this.blocks = List.copyOf(blocks);
        this.projectOut = projectOut;
    }

    static Transformer2D load(Weights weights, String prefix, int groups, int heads, int layers, boolean linear) {
        List<Block> blocks = new ArrayList<>();
        for (int t = 0; t < layers; t++) blocks.add(Block.load(weights, prefix + ".transformer_blocks." + t, heads));
        return new Transformer2D(weights.groupNorm(prefix + ".norm", groups, GROUP_NORM_EPS),
                projection(weights, prefix + ".proj_in", linear), blocks,
                projection(weights, prefix + ".proj_out", linear));
    }

    private static Linear projection(Weights weights, String module, boolean linear) {
        return linear ? weights.linear(module) : weights.pointwiseAsLinear(module);
    }

    @Override
    public FeatureMap forward(FeatureMap x, Tokens context) {
        if (context == null || context.batch() != x.batch()) {
            throw new IllegalArgumentException("cross-attention needs encoder hidden states with batch " + x.batch()
                    + (context == null ? ", got none" : ", got " + context.batch()));
        }
        Tokens h = projectIn.forward(Tokens.fromFeatureMap(norm.forward(x, false)));
        for (Block block : blocks) h = block.forward(h, context);
        return projectOut.forward(h).toFeatureMap(x.height(), x.width()).plus(x);
    }

    /** BasicTransformerBlock: pre-norm self-attention, cross-attention to the text, GEGLU feed-forward. */
    private record Block(LayerNorm norm1, Projections selfAttention, LayerNorm norm2, Projections crossAttention,
            LayerNorm norm3, Linear gatedIn, Linear feedOut, int heads) {

        static Block load(Weights weights, String prefix, int heads) {
            return new Block(weights.layerNorm(prefix + ".norm1", LAYER_NORM_EPS),
                    Projections.load(weights, prefix + ".attn1"),
                    weights.layerNorm(prefix + ".norm2", LAYER_NORM_EPS),
                    Projections.load(weights, prefix + ".attn2"),
                    weights.layerNorm(prefix + ".norm3", LAYER_NORM_EPS),
                    weights.linear(prefix + ".ff.net.0.proj"),
                    weights.linear(prefix + ".ff.net.2"),
                    heads);
        }

        Tokens forward(Tokens x, Tokens context) {
            Tokens h = norm1.forward(x);
            x = selfAttention.forward(h, h, heads).plus(x);
            x = crossAttention.forward(norm2.forward(x), context, heads).plus(x);
            return feedOut.forward(geglu(gatedIn.forward(norm3.forward(x)))).plus(x);
        }

        /** (rows, 2·inner) → (rows, inner): the first half times GELU of the second. */
        private static Tokens geglu(Tokens projected) {
            int inner = projected.dim() / 2;
            return new Tokens(projected.batch(), projected.length(), inner,
                    Activations.geglu(projected.data(), projected.rows(), inner));
        }
    }

    /** An Attention module's projections: unbiased q/k/v, biased output. */
    private record Projections(Linear query, Linear key, Linear value, Linear output) {
        static Projections load(Weights weights, String prefix) {
            return new Projections(weights.linear(prefix + ".to_q"), weights.linear(prefix + ".to_k"),
                    weights.linear(prefix + ".to_v"), weights.linear(prefix + ".to_out.0"));
        }

        Tokens forward(Tokens x, Tokens context, int heads) {
            return output.forward(Attention.forward(query.forward(x), key.forward(context), value.forward(context),
                    heads));
        }
    }
}
