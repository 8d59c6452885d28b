package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.unet.AutoencoderKLDecoder;
import io.genway.diffusion.unet.UNet2DConditionModel;
import java.io.IOException;

/** {@link ModelParts#NATIVE}: the folder's UNet2DConditionModel and AutoencoderKL decoder, run in this JVM. */
final class NativeParts implements ModelParts {

    @Override
    public Denoiser denoiser(DiffusersFolder folder) throws IOException {
        UNet2DConditionModel unet = UNet2DConditionModel.load(folder);
        int channels = unet.config().inChannels();
        int contextWidth = unet.config().crossAttentionDim();
        return new Denoiser() {
            @Override
            public int channels() {
                return channels;
            }

            @Override
            public float[] predict(float[] sample, int rows, int height, int width, float[] timesteps,
                    float[] context, int tokens) {
                return unet.predict(new FeatureMap(rows, channels, height, width, sample), timesteps,
                        new Tokens(rows, tokens, contextWidth, context)).data();
            }
        };
    }

    @Override
    public LatentDecoder vaeDecoder(DiffusersFolder folder) throws IOException {
        AutoencoderKLDecoder vae = AutoencoderKLDecoder.load(folder);
        return new LatentDecoder() {
            @Override
            public int scaleFactor() {
                return vae.upscale();
            }

            @Override
            public float[] decode(float[] sample, int channels, int height, int width) {
                return vae.decode(new FeatureMap(1, channels, height, width, sample)).data();
            }
        };
    }
}
