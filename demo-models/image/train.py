"""Trains genway's demo text-to-image model and saves it as a diffusers folder (pixel space, no VAE).

    python3 train.py                      # shapes -> CLIP vocabulary -> joint training -> demo-shapes/, samples
    python3 train.py --steps 20           # a quick smoke run

Needs python3 with torch, numpy, safetensors, transformers and pillow (pip: torch numpy safetensors transformers
pillow; Debian: python3-torch python3-numpy python3-safetensors python3-transformers python3-pil). One CPU thread;
everything is seeded.

The text encoder is transformers' CLIPTextModel (tiny: 2 layers of 64) with its own CLIP BPE vocabulary; the
denoiser is diffusers' UNet2DConditionModel layout (unet.py) cross-attending to the encoder's last hidden states;
both are trained together from scratch on the DDPM epsilon objective (linear betas, 1000 steps), with the caption
dropped 10% of the time so classifier-free guidance works.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

import clip_bpe
import shapes
import unet

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LENGTH = 77
SCHEDULER = {
    "_class_name": "DDPMScheduler",
    "_diffusers_version": "0.30.0",
    "beta_end": 0.02,
    "beta_schedule": "linear",
    "beta_start": 0.0001,
    "clip_sample": False,  # sampled and checked without clipping: at high guidance it ruins the colours
    "clip_sample_range": 1.0,
    "dynamic_thresholding_ratio": 0.995,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "rescale_betas_zero_snr": False,
    "sample_max_value": 1.0,
    "steps_offset": 0,
    "thresholding": False,
    "timestep_spacing": "leading",
    "trained_betas": None,
    "variance_type": "fixed_small",
}
MODEL_INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "_diffusers_version": "0.30.0",
    "scheduler": ["diffusers", "DDPMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
}


def save_text_encoder(text_encoder, folder):
    """config.json as transformers writes it, and the weights under the "text_model." prefix that Stable
    Diffusion's text encoders (and transformers 4.x) use; transformers 5 alone would drop the prefix."""
    os.makedirs(folder, exist_ok=True)
    text_encoder.config.architectures = ["CLIPTextModel"]
    text_encoder.config.save_pretrained(folder)
    state = {k if k.startswith("text_model.") else "text_model." + k: v.contiguous()
             for k, v in text_encoder.state_dict().items() if not k.endswith("position_ids")}
    save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})


def all_captions():
    names = list(shapes.COLORS)
    return [shapes.caption(s, c, b) for s in shapes.SHAPES for c in names for b in names if b != c]


def alphas_cumprod():
    betas = torch.linspace(SCHEDULER["beta_start"], SCHEDULER["beta_end"], SCHEDULER["num_train_timesteps"],
                           dtype=torch.float32)
    return torch.cumprod(1 - betas, dim=0)


@torch.no_grad()
def ddim_sample(model, text_encoder, tok, prompt, seed, steps=50, guidance=1.0):
    """diffusers' DDIMScheduler (eta 0, leading spacing, no clipping, final alpha = alphas_cumprod[0]) with
    classifier-free guidance against the empty prompt; returns uint8 (32, 32, 3)."""
    ac = alphas_cumprod()
    ids = tok([prompt, ""], padding="max_length", max_length=MAX_LENGTH, truncation=True, return_tensors="pt").input_ids
    ctx = text_encoder(ids).last_hidden_state
    x = torch.randn((1, 3, shapes.SIZE, shapes.SIZE), generator=torch.Generator().manual_seed(seed))
    ratio = 1000 // steps
    timesteps = list(range(0, steps * ratio, ratio))[::-1]
    for t in timesteps:
        eps = model(torch.cat([x, x]), torch.tensor([t, t]), ctx)
        eps = eps[1:] + guidance * (eps[:1] - eps[1:])
        prev = t - ratio
        a, a_prev = ac[t], (ac[prev] if prev >= 0 else ac[0])
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        x = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
    return ((x[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy()


def nearest_color(rgb):
    return min(shapes.COLORS, key=lambda n: sum((a - b) ** 2 for a, b in zip(rgb, shapes.COLORS[n])))


def regions(image):
    """(nearest colour of the mean 8x8 centre, nearest colour of the mean 3-pixel border)."""
    s = shapes.SIZE
    centre = image[s // 2 - 4:s // 2 + 4, s // 2 - 4:s // 2 + 4].reshape(-1, 3).mean(0)
    mask = np.zeros((s, s), bool)
    mask[:3], mask[-3:], mask[:, :3], mask[:, -3:] = True, True, True, True
    border = image[mask].mean(0)
    return nearest_color(centre), nearest_color(border)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=25, help="stop early after this much training time")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--out", default=os.path.join(HERE, "demo-shapes"))
    ap.add_argument("--resume", help="a checkpoint an earlier run saved (DEMO_CHECKPOINT) to go on training from")
    ap.add_argument("--min-snr", type=float, default=0.0,
                    help="weight each image's loss by min(SNR, gamma) / SNR (Hang et al. 2023); 0 for plain MSE")
    ap.add_argument("--check-seeds", type=int, default=8, help="seeds sampled per guidance scale in the check")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    started = time.time()

    captions = all_captions()
    words = [w for c in captions for w in c.split()]
    vocab, merges = clip_bpe.train(words)
    clip_bpe.save(os.path.join(args.out, "tokenizer"), vocab, merges, MAX_LENGTH)
    tok = CLIPTokenizer.from_pretrained(os.path.join(args.out, "tokenizer"))
    table = tok(captions + [""], padding="max_length", max_length=MAX_LENGTH, return_tensors="pt").input_ids
    index = {c: i for i, c in enumerate(captions)}
    print(f"captions: {len(captions)}, vocab {len(vocab)}, e.g. {tok.convert_ids_to_tokens(table[0][:9].tolist())}")

    text_config = CLIPTextConfig(vocab_size=len(vocab), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                 num_attention_heads=2, max_position_embeddings=MAX_LENGTH, hidden_act="quick_gelu",
                                 layer_norm_eps=1e-5, projection_dim=64, bos_token_id=vocab["<|startoftext|>"],
                                 eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<|endoftext|>"])
    text_encoder = CLIPTextModel(text_config)
    cfg = unet.config(sample_size=shapes.SIZE, channels=(16, 32, 64), heads=4,
                      cross_attention_dim=text_config.hidden_size, norm_num_groups=8)
    model = unet.UNet2DConditionModel(cfg)
    if args.resume:
        checkpoint = torch.load(args.resume)
        model.load_state_dict(checkpoint["unet"])
        text_encoder.load_state_dict(checkpoint["text_encoder"])
        print(f"resumed from {args.resume}", flush=True)
    params = list(model.parameters()) + list(text_encoder.parameters())
    print(f"unet {sum(p.numel() for p in model.parameters())} parameters, text encoder "
          f"{sum(p.numel() for p in text_encoder.parameters())}", flush=True)
    ema = [p.detach().clone() for p in params]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    ac = alphas_cumprod()
    rng = np.random.default_rng(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_start = time.time()
    step = 0
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = args.lr * min(1.0, (step + 1) / 50)
        images, caps = shapes.batch(rng, args.batch)
        x0 = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1
        keep = torch.rand(args.batch, generator=gen) >= 0.1
        ids = table[[index[c] if k else len(captions) for c, k in zip(caps, keep.tolist())]]
        t = torch.randint(0, 1000, (args.batch,), generator=gen)
        noise = torch.randn(x0.shape, generator=gen)
        a = ac[t][:, None, None, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
        per_image = (model(xt, t, text_encoder(ids).last_hidden_state) - noise).pow(2).mean(dim=(1, 2, 3))
        if args.min_snr > 0:
            # epsilon-MSE barely sees x0 errors at high noise, where colours and layout are decided
            snr = ac[t] / (1 - ac[t])
            per_image = per_image * snr.clamp(max=args.min_snr) / snr
        loss = per_image.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        decay = min(0.995, (1 + step) / (10 + step))
        with torch.no_grad():
            for e, p in zip(ema, params):
                e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        elapsed = time.time() - train_start
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.4f} {elapsed:.0f} s", flush=True)
        if elapsed > args.minutes * 60:
            print(f"time limit: stopping after step {step}", flush=True)
            break
    steps_done = step + 1
    train_seconds = time.time() - train_start
    print(f"training: {steps_done} steps of {args.batch} in {train_seconds:.0f} s", flush=True)
    with torch.no_grad():
        for e, p in zip(ema, params):
            p.copy_(e)
    model.eval()
    text_encoder.eval()
    torch.save({"unet": model.state_dict(), "text_encoder": text_encoder.state_dict()},
               os.environ.get("DEMO_CHECKPOINT", "/tmp/demo-image-checkpoint.pt"))

    os.makedirs(os.path.join(args.out, "unet"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "scheduler"), exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              os.path.join(args.out, "unet", "diffusion_pytorch_model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(args.out, "unet", "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    save_text_encoder(text_encoder, os.path.join(args.out, "text_encoder"))
    with open(os.path.join(args.out, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER, f, indent=2, sort_keys=True)
    with open(os.path.join(args.out, "model_index.json"), "w") as f:
        json.dump(MODEL_INDEX, f, indent=2)

    from PIL import Image
    prompt = "a red circle on a blue background"
    report = {"train_seconds": round(train_seconds), "steps": steps_done, "batch": args.batch, "checks": {}}
    tiles = []
    for guidance in (1.0, 3.0):
        hits, rows = 0, []
        for seed in range(args.check_seeds):
            image = ddim_sample(model, text_encoder, tok, prompt, seed, guidance=guidance)
            centre, border = regions(image)
            hits += centre == "red" and border == "blue"
            rows.append(image)
            print(f"guidance {guidance} seed {seed}: centre {centre}, border {border}", flush=True)
        report["checks"][f"guidance {guidance}"] = f"{hits}/{args.check_seeds} seeds red centre and blue border"
        tiles.append(np.concatenate(rows, axis=1))
    sheet = np.concatenate(tiles, axis=0)
    Image.fromarray(sheet).resize((sheet.shape[1] * 4, sheet.shape[0] * 4), Image.NEAREST).save(
        os.path.join(os.path.dirname(args.out), "sample-red-circle-on-blue.png"))
    others = []
    for i, p in enumerate(["a yellow triangle on a black background", "a green square on a white background",
                           "a white circle on a purple background", "a blue triangle on an orange background"]):
        others.append(ddim_sample(model, text_encoder, tok, p, 100 + i, guidance=3.0))
        print(f"{p}: centre/border {regions(others[-1])}", flush=True)
    strip = np.concatenate(others, axis=1)
    Image.fromarray(strip).resize((strip.shape[1] * 4, strip.shape[0] * 4), Image.NEAREST).save(
        os.path.join(os.path.dirname(args.out), "sample-other-prompts.png"))
    with open(os.path.join(os.path.dirname(args.out), "training-report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report), f"total {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
