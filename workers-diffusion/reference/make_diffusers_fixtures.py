"""Writes the diffusers-made fixtures the Java tests of the native engine compare against.

NEEDS diffusers (and transformers, torch CPU, safetensors) importable, e.g.
    PYTHONPATH=/path/to/diffusers/src python3 make_diffusers_fixtures.py
Nothing of diffusers enters the project: it only makes the reference outputs written here.

With fixed torch seeds it builds tiny randomly initialised models and writes, under
../src/test/resources/diffusers-fixtures/:
  tiny-sd/            a whole StableDiffusionPipeline in diffusers layout (save_pretrained, safetensors): the demo
                      model's CLIP tokenizer, a tiny CLIPTextModel, an SD 1.x-shaped UNet2DConditionModel (conv
                      proj_in, GEGLU, one head count for every block), an AutoencoderKL with one downsampling stage,
                      and Stable Diffusion 1.5's PNDM scheduler_config.json, key for key
  tiny-sd2/           the same with an SD 2.x-shaped UNet (four levels, linear projections, heads and transformer
                      depth per block, upcast_attention), a gelu text encoder and Stable Diffusion 2.1's scheduler config
                      (DDIM, v_prediction)
  expected/unet-sd1.safetensors, unet-sd2.safetensors, and the same at sides that are not multiples of
  unet-sd?-odd-size   2^(levels - 1): sample, timesteps (one per batch element), encoder_hidden_states and
                      diffusers' noise_pred
  expected/vae.safetensors
                      latents and image = vae.decode(latents / scaling_factor).sample, as the pipeline decodes
  expected/pipeline.json, pipeline.safetensors
                      each case's folder, sampler, steps, guidance, size and requests (prompt, negative prompt, seed;
                      several for a batched call, each with its own generator) and, under its name, diffusers'
                      output_type="np" images (requests, H, W, 3) in [0, 1], rendered by the
                      pipeline reloaded from its folder with from_pretrained(torch_dtype=float32) and scheduler =
                      Class.from_config(scheduler.config); and each folder's prompt and negative prompt embeddings

Weights are rounded to float16 and saved so (as the hub's fp16 variants are); the expected outputs are computed in
float32 from exactly those values. Deterministic: rerunning it rewrites the same numbers. Takes about a minute.
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file

import diffusers
from diffusers import (AutoencoderKL, DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
                       EulerDiscreteScheduler, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "diffusers-fixtures")
TOKENIZER = os.path.join(HERE, "..", "..", "demo-models", "image", "demo-shapes", "tokenizer")
SIZE = 32  # pixels per side of the pipeline's images


def sd1_unet():
    torch.manual_seed(1)
    return UNet2DConditionModel(
        sample_size=SIZE // 2, in_channels=4, out_channels=4, layers_per_block=2,
        block_out_channels=(8, 16, 16),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32, attention_head_dim=4, norm_num_groups=4)


def sd2_unet():
    torch.manual_seed(2)
    return UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(8, 16, 16, 24),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=24, attention_head_dim=(2, 4, 4, 8), transformer_layers_per_block=(1, 2, 1, 1),
        use_linear_projection=True, upcast_attention=True, norm_num_groups=4)


def vae():
    torch.manual_seed(3)
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1, block_out_channels=(8, 16),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), norm_num_groups=4, sample_size=SIZE,
        scaling_factor=0.18215)


def text_encoder(tokenizer, width, activation):
    """SD 1.x's CLIP uses quick_gelu, SD 2.x's OpenCLIP gelu."""
    torch.manual_seed(4)
    config = CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=width, intermediate_size=2 * width, num_attention_heads=4,
        num_hidden_layers=2, max_position_embeddings=tokenizer.model_max_length, hidden_act=activation,
        layer_norm_eps=1e-5,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id)
    return CLIPTextModel(config)


# Stable Diffusion 1.5's scheduler_config.json as the hub has it (saved by diffusers 0.6). Which keys the file
# holds matters: from_config hands a scheduler of another class only the keys the file set (clip_sample, which PNDM
# lacks, included), and the keys it lacks (timestep_spacing, prediction_type) take that class's own defaults, so
# Euler runs "linspace" and DDIM "leading" here. The pipeline cases therefore run on the folder as reloaded from
# disk, as a user's would, not on the objects built in memory (whose config lists what was defaulted differently).
SD15_SCHEDULER = {
    "_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": False,
    "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None, "clip_sample": False}
# Stable Diffusion 2.1's (768 px, v-prediction), as the hub has it.
SD21_SCHEDULER = {
    "_class_name": "DDIMScheduler", "_diffusers_version": "0.8.0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False, "num_train_timesteps": 1000,
    "prediction_type": "v_prediction", "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
    "trained_betas": None}


def half_exact(model):
    """Rounds every weight to float16 in place (the model stays float32), so that the float16 files saved below
    hold exactly the weights the expected outputs are computed with, at half the size."""
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half().float())
    return model


def unet_case(unet, name, batch, size, length, timesteps, seed):
    gen = torch.Generator().manual_seed(seed)
    sample = torch.randn(batch, unet.config.in_channels, *size, generator=gen)
    context = torch.randn(batch, length, unet.config.cross_attention_dim, generator=gen)
    t = torch.tensor(timesteps, dtype=torch.float32)
    with torch.no_grad():
        pred = unet(sample, t, encoder_hidden_states=context).sample
    save_file({"sample": sample.contiguous(), "timesteps": t, "encoder_hidden_states": context.contiguous(),
               "noise_pred": pred.contiguous()}, os.path.join(OUT, "expected", name + ".safetensors"))
    print(f"{name}: noise_pred {tuple(pred.shape)} |mean| {pred.abs().mean():.4f}")


# The pipeline cases: folder, name, sampler (genway's wire name), scheduler class and extra from_config arguments,
# seed, steps, guidance, width, height. A list of seeds is one batched call, image i from prompt i and its own
# generator (generator=[Generator().manual_seed(s) for s in seeds]).
PROMPT = "a red circle on a blue background"
NEGATIVE = "green square"
BATCH_PROMPTS = [PROMPT, "a yellow triangle", "white"]
BATCH_NEGATIVES = [NEGATIVE, "", "black background"]
CASES = [
    ("tiny-sd", "ddim", "ddim", DDIMScheduler, {}, 1234, 6, 7.5, SIZE, SIZE),
    ("tiny-sd", "euler", "euler", EulerDiscreteScheduler, {}, 7, 6, 5.0, SIZE, SIZE),
    ("tiny-sd", "euler_a", "euler_a", EulerAncestralDiscreteScheduler, {}, 99, 6, 7.5, SIZE, SIZE),
    ("tiny-sd", "dpmpp_2m_karras", "dpmpp_2m_karras", DPMSolverMultistepScheduler, {"use_karras_sigmas": True},
     2026, 8, 6.0, SIZE, SIZE),
    ("tiny-sd", "dpmpp_2m", "dpmpp_2m", DPMSolverMultistepScheduler, {}, 31, 5, 7.5, SIZE, SIZE),
    ("tiny-sd", "ddpm", "ddpm", DDPMScheduler, {}, 8, 5, 7.5, SIZE, SIZE),
    ("tiny-sd", "euler_unguided", "euler", EulerDiscreteScheduler, {}, 5, 4, 1.0, SIZE, SIZE),
    ("tiny-sd", "euler_a_wide", "euler_a", EulerAncestralDiscreteScheduler, {}, 77, 5, 7.5, 3 * SIZE // 2, SIZE),
    ("tiny-sd", "dpmpp_2m_karras_25_steps", "dpmpp_2m_karras", DPMSolverMultistepScheduler,
     {"use_karras_sigmas": True}, 25, 25, 7.5, SIZE, SIZE),
    ("tiny-sd", "euler_a_30_steps", "euler_a", EulerAncestralDiscreteScheduler, {}, 30, 30, 7.5, SIZE, SIZE),
    ("tiny-sd", "euler_a_batch_of_3", "euler_a", EulerAncestralDiscreteScheduler, {}, [41, 42, 43], 5, 6.0, SIZE,
     SIZE),
    ("tiny-sd2", "v_ddim", "ddim", DDIMScheduler, {}, 4321, 6, 7.5, SIZE, SIZE),
    ("tiny-sd2", "v_euler", "euler", EulerDiscreteScheduler, {}, 12, 6, 5.0, SIZE, SIZE),
    ("tiny-sd2", "v_euler_a", "euler_a", EulerAncestralDiscreteScheduler, {}, 13, 6, 7.5, SIZE, SIZE),
    ("tiny-sd2", "v_dpmpp_2m_karras", "dpmpp_2m_karras", DPMSolverMultistepScheduler, {"use_karras_sigmas": True},
     14, 7, 6.0, SIZE, SIZE),
    # latents 12x20 through four levels: 6x10, 3x5, 2x3, so the up path resizes 2x3 to 3x5 (forward_upsample_size)
    ("tiny-sd2", "v_euler_a_24x40", "euler_a", EulerAncestralDiscreteScheduler, {}, 15, 5, 7.5, 24, 40),
]


def save_pipeline(folder, unet, text, scheduler_config):
    """save_pretrained in float16, the demo tokenizer's files and the scheduler config file as given."""
    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZER)
    scheduler_class = getattr(diffusers, scheduler_config["_class_name"])
    pipe = StableDiffusionPipeline(vae=half_exact(vae().eval()), text_encoder=half_exact(text.eval()),
                                   tokenizer=tokenizer, unet=unet, scheduler=scheduler_class.from_config(scheduler_config),
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    root = os.path.join(OUT, folder)
    pipe.to(torch.float16)
    pipe.save_pretrained(root, safe_serialization=True)
    pipe.to(torch.float32)
    # transformers 5 saves the tokenizer as tokenizer.json alone; the hub's SD folders (and genway) have the files
    # the slow tokenizer was read from, so the fixture keeps those
    shutil.rmtree(os.path.join(root, "tokenizer"))
    shutil.copytree(TOKENIZER, os.path.join(root, "tokenizer"))
    with open(os.path.join(root, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(scheduler_config, f, indent=2)
        f.write("\n")
    return pipe


def reloaded(folder):
    pipe = StableDiffusionPipeline.from_pretrained(os.path.join(OUT, folder), torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    print(f"{folder} scheduler as reloaded: {dict(pipe.scheduler.config)}")
    return pipe


def main():
    assert diffusers.__version__, "diffusers must be importable"
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "expected"))
    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZER)

    sd1 = save_pipeline("tiny-sd", half_exact(sd1_unet().eval()), text_encoder(tokenizer, 32, "quick_gelu"),
                        SD15_SCHEDULER)
    unet_case(sd1.unet, "unet-sd1", batch=2, size=(16, 16), length=tokenizer.model_max_length,
              timesteps=[981.0, 1.0], seed=11)
    # sides that are not multiples of 2^(levels - 1): the down path rounds up, the up path resizes to each skip
    unet_case(sd1.unet, "unet-sd1-odd-size", batch=1, size=(10, 14), length=tokenizer.model_max_length,
              timesteps=[601.0], seed=15)
    sd2 = save_pipeline("tiny-sd2", half_exact(sd2_unet().eval()), text_encoder(tokenizer, 24, "gelu"),
                        SD21_SCHEDULER)
    unet_case(sd2.unet, "unet-sd2", batch=2, size=(8, 8), length=7, timesteps=[500.0, 37.0], seed=12)
    unet_case(sd2.unet, "unet-sd2-odd-size", batch=1, size=(6, 9), length=7, timesteps=[250.0], seed=16)

    gen = torch.Generator().manual_seed(13)
    latents = torch.randn(1, 4, SIZE // 2, SIZE // 2, generator=gen)
    with torch.no_grad():
        image = sd1.vae.decode(latents / sd1.vae.config.scaling_factor).sample
    save_file({"latents": latents, "image": image.contiguous()}, os.path.join(OUT, "expected", "vae.safetensors"))
    print(f"vae: image {tuple(image.shape)} range [{image.min():.3f}, {image.max():.3f}]")

    pipes = {folder: reloaded(folder) for folder in ("tiny-sd", "tiny-sd2")}
    tensors = {}
    for folder, pipe in pipes.items():
        with torch.no_grad():
            embeds, negative_embeds = pipe.encode_prompt(PROMPT, "cpu", 1, True, NEGATIVE)
        tensors[folder + ".prompt_embeds"] = embeds.contiguous()
        tensors[folder + ".negative_prompt_embeds"] = negative_embeds.contiguous()
    cases = []
    saved = {folder: pipe.scheduler.config for folder, pipe in pipes.items()}
    for folder, name, sampler, cls, extra, seed, steps, guidance, width, height in CASES:
        pipe = pipes[folder]
        pipe.scheduler = cls.from_config(saved[folder], **extra)
        seeds = seed if isinstance(seed, list) else [seed]
        prompts = BATCH_PROMPTS[:len(seeds)] if len(seeds) > 1 else [PROMPT]
        negatives = BATCH_NEGATIVES[:len(seeds)] if len(seeds) > 1 else [NEGATIVE]
        image = pipe(prompt=prompts, negative_prompt=negatives, height=height, width=width,
                     num_inference_steps=steps, guidance_scale=guidance,
                     generator=[torch.Generator().manual_seed(s) for s in seeds], output_type="np").images
        tensors[name + ".images"] = torch.from_numpy(image).contiguous()
        pixels = (image * 255).round()
        print(f"{name}: image {image.shape} mean {image.mean():.3f}, {len(set(pixels.flatten().tolist()))} distinct "
              f"8-bit values, {(pixels == 0).mean() + (pixels == 255).mean():.3f} clipped")
        cases.append({"folder": folder, "name": name, "sampler": sampler, "scheduler": cls.__name__,
                      "from_config": extra, "steps": steps, "guidance": guidance, "width": width, "height": height,
                      "requests": [{"prompt": p, "negative_prompt": n, "seed": s}
                                   for p, n, s in zip(prompts, negatives, seeds)]})
    save_file(tensors, os.path.join(OUT, "expected", "pipeline.safetensors"))
    with open(os.path.join(OUT, "expected", "pipeline.json"), "w") as f:
        json.dump({"diffusers_version": diffusers.__version__, "torch_version": torch.__version__,
                   "cases": cases}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
