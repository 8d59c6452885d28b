package io.genway.diffusion.pipeline;

import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.ModelConfigException;
import java.io.IOException;

/**
 * Where the forward passes of a folder's {@code unet} and {@code vae} come from. {@link ImageModel#load} reads the
 * tokenizer, text encoder and scheduler itself and checks the configs against each other; these two build the
 * heavy parts. This is the adapter point to the native UNet2DConditionModel and AutoencoderKL decoder:
 * {@link #NATIVE} wraps them once they are part of the build.
 */
public interface ModelParts {

    /** The folder's {@code unet} as a {@link Denoiser}; its config has been read and checked already. */
    Denoiser denoiser(DiffusersFolder folder) throws IOException;

    /** The folder's {@code vae} decoder; only called when the folder has one. */
    LatentDecoder vaeDecoder(DiffusersFolder folder) throws IOException;

    /**
     * This build's own forward passes. The UNet2DConditionModel and AutoencoderKL decoder passes are being written
     * on their own branch; until they are merged here, loading a model names what is missing instead of running.
     */
    ModelParts NATIVE = new ModelParts() {
        @Override
        public Denoiser denoiser(DiffusersFolder folder) {
            throw new ModelConfigException(folder.root().resolve("unet"),
                    "UNet2DConditionModel cannot run: this build has no forward pass for it yet");
        }

        @Override
        public LatentDecoder vaeDecoder(DiffusersFolder folder) {
            throw new ModelConfigException(folder.root().resolve("vae"),
                    "AutoencoderKL cannot run: this build has no decoder forward pass for it yet");
        }
    };
}
