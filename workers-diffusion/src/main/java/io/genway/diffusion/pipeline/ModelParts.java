package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.DiffusersFolder;
import java.io.IOException;

/**
 * Where the forward passes of a folder's {@code unet} and {@code vae} come from. {@link ImageModel#load} reads the
 * tokenizer, text encoder and scheduler itself and checks the configs against each other; these two build the
 * heavy parts: {@link #NATIVE} from the native UNet2DConditionModel and AutoencoderKL decoder, test doubles in
 * tests.
 */
public interface ModelParts {

    /** The folder's {@code unet} as a {@link Denoiser}; its config has been read and checked already. */
    Denoiser denoiser(DiffusersFolder folder) throws IOException;

    /** The folder's {@code vae} decoder; only called when the folder has one. */
    LatentDecoder vaeDecoder(DiffusersFolder folder) throws IOException;

    /** This build's own forward passes: {@code UNet2DConditionModel} and the {@code AutoencoderKL} decoder. */
    ModelParts NATIVE = new NativeParts();
}
