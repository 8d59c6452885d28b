package io.genway.diffusion.pipeline;

import io.genway.diffusion.clip.ClipTextModel;
import io.genway.diffusion.clip.ClipTokenizer;
import io.genway.diffusion.model.AutoencoderKLConfig;
import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.model.ModelConfigException;
import io.genway.diffusion.model.ModelIndex;
import io.genway.diffusion.model.SchedulerConfig;
import io.genway.diffusion.model.UNet2DConditionConfig;
import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A text-to-image diffusers folder loaded for rendering: Stable Diffusion 1.x/2.x ({@code tokenizer},
 * {@code text_encoder}, {@code unet}, {@code vae}, {@code scheduler}), or the same without a {@code vae} for models
 * that denoise pixels directly (the project's demo model).
 *
 * @param defaultSampler the sampler the folder's scheduler config names, or DPM-Solver++ 2M for schedulers this
 *     engine lacks (Stable Diffusion 1.5 ships PNDM)
 * @param defaultSide the side the model was trained at: the UNet's {@code sample_size} times the decoder's scale
 *     (512 for Stable Diffusion 1.5)
 * @param sizeMultiple what both sides must be a multiple of: the decoder's scale (8 for Stable Diffusion, as
 *     diffusers asks); the UNet takes latents of any size, as diffusers' does
 */
public record ImageModel(Path root, TextToImage pipeline, Sampler defaultSampler, int defaultSide, int sizeMultiple) {
    static final Set<String> TOKENIZERS = Set.of("CLIPTokenizer", "CLIPTokenizerFast");

    /**
     * Reads and cross-checks every component; a missing component, an unsupported class or value, or configs that
     * do not fit together fail with a {@link ModelConfigException} naming the file and key.
     */
    public static ImageModel load(Path root, ModelParts parts) throws IOException {
        DiffusersFolder folder = DiffusersFolder.open(root);
        ModelIndex index = folder.index();
        ModelIndex.Component tokenizerClass =
                index.component("tokenizer").orElseThrow(() -> missing(folder, "tokenizer"));
        if (!TOKENIZERS.contains(tokenizerClass.className())) {
            throw new ModelConfigException(root.resolve(DiffusersFolder.INDEX_FILE), "tokenizer class \""
                    + tokenizerClass.className() + "\" is not supported here (supported: " + TOKENIZERS + ")");
        }
        ClipTokenizer tokenizer = ClipTokenizer.read(root.resolve("tokenizer"));
        ClipTextConfig textConfig = folder.clipText("text_encoder");
        UNet2DConditionConfig unetConfig = folder.unet2DCondition("unet");
        SchedulerConfig schedulerConfig = folder.scheduler("scheduler");
        if (unetConfig.crossAttentionDim() != textConfig.hiddenSize()) {
            throw new ModelConfigException(root.resolve("unet/config.json"), "cross_attention_dim "
                    + unetConfig.crossAttentionDim() + " does not match the text encoder's hidden_size "
                    + textConfig.hiddenSize());
        }
        boolean latent = index.component("vae").isPresent();
        if (latent) {
            AutoencoderKLConfig vae = folder.autoencoderKL("vae");
            if (vae.latentChannels() != unetConfig.inChannels()) {
                throw new ModelConfigException(root.resolve("unet/config.json"), "in_channels "
                        + unetConfig.inChannels() + " does not match the vae's latent_channels "
                        + vae.latentChannels());
            }
        } else if (unetConfig.inChannels() != 3 || unetConfig.outChannels() != 3) {
            throw new ModelConfigException(root.resolve("unet/config.json"), "a model without a vae must denoise RGB"
                    + " pixels: in_channels and out_channels 3, was " + unetConfig.inChannels() + " and "
                    + unetConfig.outChannels());
        }
        ClipTextModel textModel;
        try (TensorStore weights = folder.weights("text_encoder")) {
            textModel = ClipTextModel.load(textConfig, weights);
        }
        PromptEncoder encoder;
        try {
            encoder = new ClipPromptEncoder(tokenizer, textModel);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(root.resolve("tokenizer"), e.getMessage(), e);
        }
        Denoiser denoiser = parts.denoiser(folder);
        LatentDecoder decoder = latent ? parts.vaeDecoder(folder) : LatentDecoder.PIXELS;
        Sampler sampler = Sampler.ofSchedulerClass(schedulerConfig.className()).orElse(Sampler.DPMPP_2M);
        sampler.create(schedulerConfig); // an unsupported scheduler value fails now, not at the first request
        int side = unetConfig.sampleSize() > 0 ? unetConfig.sampleSize() * decoder.scaleFactor() : 512;
        int multiple = decoder.scaleFactor();
        return new ImageModel(root, new TextToImage(encoder, denoiser, decoder, schedulerConfig), sampler, side,
                multiple);
    }

    private static ModelConfigException missing(DiffusersFolder folder, String component) {
        return new ModelConfigException(folder.root().resolve(DiffusersFolder.INDEX_FILE), "component " + component
                + " is missing (has " + new java.util.TreeSet<>(folder.index().components().keySet()) + ")");
    }
}
