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
  sd2-unet/           an SD 2.x-shaped UNet (linear projections, heads and transformer depth per block,
                      upcast_attention) with a model_index.json naming only it
  expected/unet-sd1.safetensors, unet-sd2.safetensors
                      sample, timesteps (one per batch element), encoder_hidden_states and diffusers' noise_pred
  expected/vae.safetensors
                      latents and image = vae.decode(latents / scaling_factor).sample, as the pipeline decodes
  expected/pipeline.json, pipeline.safetensors
                      each case's request (prompt, negative prompt, seed, steps, guidance, sampler) and, under its
                      name, diffusers' output_type="np" image (1, H, W, 3) in [0, 1] and the final latents (the same
                      call with output_type="latent"), rendered by the pipeline reloaded from tiny-sd/ with
                      from_pretrained(torch_dtype=float32) and scheduler = Class.from_config(scheduler.config); and
                      the prompt's and negative prompt's embeddings

Weights are rounded to float16 and saved so (as the hub's fp16 variants are); the expected outputs are computed in
float32 from exactly those values. Deterministic: rerunning it rewrites the same numbers. Takes about a minute.
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file

import diffusers
from diffusers import (AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
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
        block_out_channels=(8, 16, 24),
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=24, attention_head_dim=(2, 4, 8), transformer_layers_per_block=(1, 2, 1),
        use_linear_projection=True, upcast_attention=True, norm_num_groups=4)


def vae():
    torch.manual_seed(3)
    return AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, layers_per_block=1, block_out_channels=(8, 16),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"), norm_num_groups=4, sample_size=SIZE,
        scaling_factor=0.18215)


def text_encoder(tokenizer):
    torch.manual_seed(4)
    config = CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_attention_heads=4, num_hidden_layers=2,
        max_position_embeddings=tokenizer.model_max_length, hidden_act="quick_gelu", layer_norm_eps=1e-5,
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


def half_exact(model):
    """Rounds every weight to float16 in place (the model stays float32), so that the float16 files saved below
    hold exactly the weights the expected outputs are computed with, at half the size."""
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half().float())
    return model


def unet_case(unet, name, batch, side, length, timesteps, seed):
    gen = torch.Generator().manual_seed(seed)
    sample = torch.randn(batch, unet.config.in_channels, side, side, generator=gen)
    context = torch.randn(batch, length, unet.config.cross_attention_dim, generator=gen)
    t = torch.tensor(timesteps, dtype=torch.float32)
    with torch.no_grad():
        pred = unet(sample, t, encoder_hidden_states=context).sample
    save_file({"sample": sample.contiguous(), "timesteps": t, "encoder_hidden_states": context.contiguous(),
               "noise_pred": pred.contiguous()}, os.path.join(OUT, "expected", name + ".safetensors"))
    print(f"{name}: noise_pred {tuple(pred.shape)} |mean| {pred.abs().mean():.4f}")


# The pipeline cases: (name, scheduler class, extra from_config kwargs, seed, steps, guidance).
PROMPT = "a red circle on a blue background"
NEGATIVE = "green square"
CASES = [
    ("ddim", "ddim", DDIMScheduler, {}, 1234, 6, 7.5),
    ("euler", "euler", EulerDiscreteScheduler, {}, 7, 6, 5.0),
    ("euler_a", "euler_a", EulerAncestralDiscreteScheduler, {}, 99, 6, 7.5),
    ("dpmpp_2m_karras", "dpmpp_2m_karras", DPMSolverMultistepScheduler, {"use_karras_sigmas": True}, 2026, 8, 6.0),
    ("euler_unguided", "euler", EulerDiscreteScheduler, {}, 5, 4, 1.0),
]


def main():
    assert diffusers.__version__, "diffusers must be importable"
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "expected"))

    tokenizer = CLIPTokenizer.from_pretrained(TOKENIZER)
    pipe = StableDiffusionPipeline(vae=half_exact(vae().eval()), text_encoder=half_exact(text_encoder(tokenizer).eval()),
                                   tokenizer=tokenizer, unet=half_exact(sd1_unet().eval()),
                                   scheduler=PNDMScheduler.from_config(SD15_SCHEDULER),
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    pipe.to(torch.float16)
    pipe.save_pretrained(os.path.join(OUT, "tiny-sd"), safe_serialization=True)
    pipe.to(torch.float32)
    # transformers 5 saves the tokenizer as tokenizer.json alone; the hub's SD folders (and genway) have the files
    # the slow tokenizer was read from, so the fixture keeps those
    shutil.rmtree(os.path.join(OUT, "tiny-sd", "tokenizer"))
    shutil.copytree(TOKENIZER, os.path.join(OUT, "tiny-sd", "tokenizer"))
    with open(os.path.join(OUT, "tiny-sd", "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SD15_SCHEDULER, f, indent=2)
        f.write("\n")

    unet_case(pipe.unet, "unet-sd1", batch=2, side=16, length=tokenizer.model_max_length, timesteps=[981.0, 1.0],
              seed=11)
    sd2 = half_exact(sd2_unet().eval())
    sd2_dir = os.path.join(OUT, "sd2-unet")
    sd2.to(torch.float16).save_pretrained(os.path.join(sd2_dir, "unet"), safe_serialization=True)
    sd2.to(torch.float32)
    with open(os.path.join(sd2_dir, "model_index.json"), "w") as f:
        json.dump({"_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusers.__version__,
                   "unet": ["diffusers", "UNet2DConditionModel"]}, f, indent=2)
    unet_case(sd2, "unet-sd2", batch=2, side=8, length=7, timesteps=[500.0, 37.0], seed=12)

    gen = torch.Generator().manual_seed(13)
    latents = torch.randn(1, 4, SIZE // 2, SIZE // 2, generator=gen)
    with torch.no_grad():
        image = pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample
    save_file({"latents": latents, "image": image.contiguous()}, os.path.join(OUT, "expected", "vae.safetensors"))
    print(f"vae: image {tuple(image.shape)} range [{image.min():.3f}, {image.max():.3f}]")

    pipe = StableDiffusionPipeline.from_pretrained(os.path.join(OUT, "tiny-sd"), torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    with torch.no_grad():
        embeds, negative_embeds = pipe.encode_prompt(PROMPT, "cpu", 1, True, NEGATIVE)
    tensors = {"prompt_embeds": embeds.contiguous(), "negative_prompt_embeds": negative_embeds.contiguous()}
    cases = []
    saved = pipe.scheduler.config
    print("scheduler as reloaded:", dict(saved))
    for name, sampler, cls, extra, seed, steps, guidance in CASES:
        pipe.scheduler = cls.from_config(saved, **extra)
        call = dict(prompt=PROMPT, negative_prompt=NEGATIVE, height=SIZE, width=SIZE, num_inference_steps=steps,
                    guidance_scale=guidance)
        image = pipe(**call, generator=torch.Generator().manual_seed(seed), output_type="np").images
        latents = pipe(**call, generator=torch.Generator().manual_seed(seed), output_type="latent").images
        tensors[name + ".image"] = torch.from_numpy(image).contiguous()
        tensors[name + ".latents"] = latents.contiguous()
        pixels = (image * 255).round()
        print(f"{name}: image {image.shape} mean {image.mean():.3f}, {len(set(pixels.flatten().tolist()))} distinct "
              f"8-bit values, {(pixels == 0).mean() + (pixels == 255).mean():.3f} clipped")
        cases.append({"name": name, "sampler": sampler, "scheduler": cls.__name__, "from_config": extra,
                      "prompt": PROMPT, "negative_prompt": NEGATIVE, "seed": seed, "steps": steps,
                      "guidance": guidance, "width": SIZE, "height": SIZE})
    save_file(tensors, os.path.join(OUT, "expected", "pipeline.safetensors"))
    with open(os.path.join(OUT, "expected", "pipeline.json"), "w") as f:
        json.dump({"diffusers_version": diffusers.__version__, "torch_version": torch.__version__,
                   "cases": cases}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
