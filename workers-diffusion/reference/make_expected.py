"""Writes the expected outputs the Java forward-pass tests compare against, from unet_torch.py's independent
PyTorch models. Run from this folder: python3 make_expected.py [path/to/shared]

First it checks unet_torch's UNet2DModel against diffusers' own numbers for the shared fixture
(shared/reference/unet2d-fixture.md), which vouches for the blocks both UNets share. Then, for each tiny model
below, it fills the weights by the same formula as that fixture and records outputs in
../src/test/resources/io/genway/diffusion/unet/<name>.json.

Weights: sort the state dict's names; element i of the k-th tensor is amplitude * sin(0.1 i + k), plus 1 for the
scales of norms (modules named norm, norm1..3, group_norm, conv_norm_out); for the VAE, k counts over the
decoder's tensors alone (decoder.* and post_quant_conv.*, the state dict of unet_torch's decoder). Inputs: element i (flat, NCHW or
(batch, length, dim)) of the sample is sin(0.01 i), of the text states cos(0.02 i), of VAE latents sin(0.03 i).
"""
import json
import math
import os
import re
import sys

import torch

import unet_torch

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "io", "genway",
                   "diffusion", "unet")
NORM_SCALE = re.compile(r"(^|\.)(norm[0-9]*|group_norm|conv_norm_out)\.weight$")
SAMPLES = 48


def fill(model, amplitude):
    state = model.state_dict()
    for k, name in enumerate(sorted(state)):
        t = state[name]
        i = torch.arange(t.numel(), dtype=torch.float64)
        v = amplitude * torch.sin(0.1 * i + k) + (1.0 if NORM_SCALE.search(name) else 0.0)
        t.copy_(v.to(torch.float32).reshape(t.shape))
    return model


def pattern(shape, fn, scale):
    n = math.prod(shape)
    return fn(scale * torch.arange(n, dtype=torch.float64)).to(torch.float32).reshape(shape)


def summary(y):
    flat = y.flatten().double()
    stride = max(1, flat.numel() // SAMPLES)
    return {"shape": list(y.shape), "sum_abs": flat.abs().sum().item(), "sum": flat.sum().item(),
            "sample_stride": stride, "samples": [round(v, 7) for v in flat[::stride].tolist()]}


def check_shared_fixture(shared):
    doc_path = os.path.join(shared, "reference", "unet2d-fixture.md")
    if not os.path.exists(doc_path):
        print("shared fixture doc missing: the UNet2DModel sanity check is skipped")
        return
    doc = open(doc_path).read()
    cfg = json.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1))
    model = fill(unet_torch.UNet(cfg, conditional=False), 0.05).eval()
    assert len(model.state_dict()) == 208, len(model.state_dict())
    x = pattern((1, 3, 16, 16), torch.sin, 0.01)
    with torch.no_grad():
        y = model(x, 10)
        proj = model.time_proj(torch.tensor([10.0]))[0]
    numbers = lambda label: [float(v) for v in re.search(re.escape(label) + r"\s*=\s*([-0-9., ]+)", doc)
                             .group(1).split(",") if v.strip()]
    got = {"sum of |y|": y.abs().sum().item(), "y[0,0,0,0..3]": y[0, 0, 0, :4].tolist(),
           "y[0,2,15,12..15]": y[0, 2, 15, 12:].tolist(), "time_proj(10)[0..3]": proj[:4].tolist()}
    worst = 0.0
    for label, value in got.items():
        expected = numbers(label)
        value = value if isinstance(value, list) else [value]
        worst = max(worst, max(abs(a - b) for a, b in zip(value, expected)) / (100 if label == "sum of |y|" else 1))
        print(f"fixture {label}: torch {['%.6f' % v for v in value]} diffusers {expected}")
    assert worst < 1e-4, f"unet_torch's UNet2DModel misses diffusers' fixture by {worst}"
    print("unet_torch UNet2DModel reproduces diffusers' fixture")


SD1_LIKE = {
    "_class_name": "UNet2DConditionModel", "sample_size": 16, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
    "mid_block_type": "UNetMidBlock2DCrossAttn",
    "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "block_out_channels": [32, 48, 64], "layers_per_block": 2, "norm_num_groups": 16, "norm_eps": 1e-5,
    "cross_attention_dim": 24, "attention_head_dim": 4, "use_linear_projection": False,
    "flip_sin_to_cos": True, "freq_shift": 0}
SD2_LIKE = {
    "_class_name": "UNet2DConditionModel", "sample_size": 8, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
    "mid_block_type": "UNetMidBlock2DCrossAttn",
    "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
    "block_out_channels": [32, 64], "layers_per_block": 1, "norm_num_groups": 8, "norm_eps": 1e-5,
    "cross_attention_dim": 16, "attention_head_dim": [2, 4], "transformer_layers_per_block": [1, 2],
    "use_linear_projection": True, "upcast_attention": True, "flip_sin_to_cos": True, "freq_shift": 1}
CLASS_UNET2D = {
    "_class_name": "UNet2DModel", "sample_size": 8, "in_channels": 3, "out_channels": 3,
    "down_block_types": ["DownBlock2D", "AttnDownBlock2D"], "up_block_types": ["AttnUpBlock2D", "UpBlock2D"],
    "block_out_channels": [16, 32], "layers_per_block": 1, "attention_head_dim": 8, "norm_num_groups": 8}
VAE = {
    "_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3,
    "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
    "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"], "block_out_channels": [16, 32],
    "layers_per_block": 1, "latent_channels": 4, "norm_num_groups": 8, "sample_size": 16,
    "scaling_factor": 0.18215}


def conditional_case(name, cfg, batch, size, seq, timestep, amplitude):
    model = fill(unet_torch.UNet(cfg, conditional=True), amplitude).eval()
    x = pattern((batch, cfg["in_channels"], size, size), torch.sin, 0.01)
    ctx = pattern((batch, seq, cfg["cross_attention_dim"]), torch.cos, 0.02)
    with torch.no_grad():
        y = model(x, timestep, ctx)
    params = sum(t.numel() for t in model.state_dict().values())
    write(name, {"config": cfg, "amplitude": amplitude, "parameters": params, "tensors": len(model.state_dict()),
                 "batch": batch, "size": size, "sequence": seq, "timestep": timestep, "output": summary(y)})


def class_case(name, cfg, labels, size, timestep, amplitude):
    model = fill(unet_torch.UNet(cfg, conditional=False), amplitude).eval()
    x = pattern((len(labels), cfg["in_channels"], size, size), torch.sin, 0.01)
    with torch.no_grad():
        y = model(x, timestep, class_labels=torch.tensor(labels))
    write(name, {"config": cfg, "amplitude": amplitude, "tensors": len(model.state_dict()), "labels": labels,
                 "batch": len(labels), "size": size, "timestep": timestep, "output": summary(y)})


def vae_case(name, cfg, batch, size, amplitude):
    model = fill(unet_torch.AutoencoderKLDecoder(cfg), amplitude).eval()
    z = pattern((batch, cfg["latent_channels"], size, size), torch.sin, 0.03)
    with torch.no_grad():
        y = model(z)
    write(name, {"config": cfg, "amplitude": amplitude, "decoder_tensors": len(model.state_dict()),
                 "batch": batch, "size": size, "output": summary(y)})


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    print(f"{name}: {payload['output']['shape']} sum|y| {payload['output']['sum_abs']:.6f}")


if __name__ == "__main__":
    check_shared_fixture(sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "..", "..", "shared"))
    conditional_case("sd1-like-unet", SD1_LIKE, batch=2, size=16, seq=7, timestep=500, amplitude=0.1)
    conditional_case("sd2-like-unet", SD2_LIKE, batch=1, size=8, seq=5, timestep=981, amplitude=0.1)
    class_case("unet2d-class-lookup", dict(CLASS_UNET2D, num_class_embeds=10), [3, 7], 8, 50, 0.1)
    class_case("unet2d-class-timestep", dict(CLASS_UNET2D, class_embed_type="timestep"), [1, 5], 8, 50, 0.1)
    vae_case("vae-decoder", VAE, batch=2, size=8, amplitude=0.1)
