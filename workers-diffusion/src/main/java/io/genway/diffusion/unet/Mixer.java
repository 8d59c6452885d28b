package io.genway.diffusion.unet;

import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;

/** What follows a resnet in an attention block: spatial self-attention, or a transformer over the text states. */
interface Mixer {
    /** @param context the encoder hidden states (batch, length, dim); ignored by self-attention, may be null */
    FeatureMap forward(FeatureMap x, Tokens context);
}
