"""Loads demo-shapes/ from disk the way an engine would (config.json + safetensors for the UNet, transformers'
CLIPTokenizer and CLIPTextModel for the text side) and checks that "a red circle on a blue background" gives red
in the centre and blue at the border, seed by seed, with the DDIM loop of train.py.

    python3 verify.py [--seeds 16] [--guidance 1 3 7.5] [--png sample.png]
"""
import argparse
import json
import os

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import CLIPTextModel, CLIPTokenizer

import train
import unet

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default=os.path.join(HERE, "demo-shapes"))
    ap.add_argument("--prompt", default="a red circle on a blue background")
    ap.add_argument("--expect", nargs=2, default=["red", "blue"], metavar=("CENTRE", "BORDER"))
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--guidance", type=float, nargs="+", default=[1.0, 3.0, 7.5])
    ap.add_argument("--png", help="save the samples of the last guidance scale as one strip")
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(args.folder, "unet", "config.json")) as f:
        model = unet.UNet2DConditionModel(json.load(f))
    model.load_state_dict(load_file(os.path.join(args.folder, "unet", "diffusion_pytorch_model.safetensors")))
    model.eval()
    text_encoder = CLIPTextModel.from_pretrained(os.path.join(args.folder, "text_encoder")).eval()
    tok = CLIPTokenizer.from_pretrained(os.path.join(args.folder, "tokenizer"))
    for guidance in args.guidance:
        hits, images = 0, []
        for seed in range(args.seeds):
            image = train.ddim_sample(model, text_encoder, tok, args.prompt, seed, steps=args.steps, guidance=guidance)
            centre, border = train.regions(image)
            hits += [centre, border] == args.expect
            images.append(image)
        print(f"{args.prompt!r} guidance {guidance}: {hits}/{args.seeds} seeds with a {args.expect[0]} centre and "
              f"a {args.expect[1]} border", flush=True)
    if args.png:
        from PIL import Image
        strip = np.concatenate(images, axis=1)
        Image.fromarray(strip).resize((strip.shape[1] * 4, strip.shape[0] * 4), Image.NEAREST).save(args.png)


if __name__ == "__main__":
    main()
