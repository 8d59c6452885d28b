"""Renders the demo image data set: one coloured shape (circle, square or triangle) on a plain coloured
background, 32x32 RGB, with its caption, e.g. "a red circle on a blue background" or "an orange
square on a white background".

Shapes sit near the centre (a few pixels of jitter) at 14 to 22 pixels across, drawn at 4x and averaged down so
their edges are smooth. Everything comes from one seeded numpy generator, so a seed always gives the same images.

    python3 shapes.py --count 16 --out sheet.png   # a contact sheet of the first images and their captions
"""
import argparse

import numpy as np

SIZE = 32
SUPER = 4
COLORS = {
    "red": (220, 30, 30),
    "green": (30, 160, 50),
    "blue": (30, 60, 220),
    "yellow": (245, 215, 30),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
    "purple": (140, 50, 180),
    "orange": (250, 140, 20),
}
SHAPES = ("circle", "square", "triangle")


def article(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def caption(shape, color, background):
    return f"{article(color)} {shape} on {article(background)} background"


def coverage(shape, cx, cy, size):
    """(SIZE, SIZE) fraction of each pixel the shape covers, from a SUPER x SUPER grid of samples per pixel."""
    n = SIZE * SUPER
    coords = (np.arange(n) + 0.5) / SUPER
    x, y = np.meshgrid(coords, coords)
    r = size / 2
    if shape == "circle":
        inside = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    elif shape == "square":
        inside = (np.abs(x - cx) <= r) & (np.abs(y - cy) <= r)
    else:  # an upright isosceles triangle, base at the bottom, in the same box as the square
        top, bottom = cy - r, cy + r
        half = r * (y - top) / (bottom - top)
        inside = (y >= top) & (y <= bottom) & (np.abs(x - cx) <= half)
    return inside.reshape(SIZE, SUPER, SIZE, SUPER).mean(axis=(1, 3))


def render(rng):
    """One (image uint8 (SIZE, SIZE, 3), caption) drawn from `rng`."""
    names = list(COLORS)
    shape = SHAPES[rng.integers(len(SHAPES))]
    color = names[rng.integers(len(names))]
    background = names[rng.integers(len(names) - 1)]
    if background == color:  # a shape never has its background's colour
        background = names[-1]
    size = rng.uniform(14, 22)
    cx, cy = SIZE / 2 + rng.uniform(-3, 3, size=2)
    a = coverage(shape, cx, cy, size)[..., None]
    image = a * np.array(COLORS[color], dtype=np.float64) + (1 - a) * np.array(COLORS[background], dtype=np.float64)
    return np.round(image).astype(np.uint8), caption(shape, color, background)


def batch(rng, count):
    images, captions = zip(*(render(rng) for _ in range(count)))
    return np.stack(images), list(captions)


def main():
    from PIL import Image

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="sheet.png")
    args = ap.parse_args()
    images, captions = batch(np.random.default_rng(args.seed), args.count)
    cols = 8
    rows = (args.count + cols - 1) // cols
    sheet = np.zeros((rows * (SIZE + 2), cols * (SIZE + 2), 3), dtype=np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        sheet[r * (SIZE + 2):r * (SIZE + 2) + SIZE, c * (SIZE + 2):c * (SIZE + 2) + SIZE] = image
        print(i, captions[i])
    Image.fromarray(sheet).resize((sheet.shape[1] * 4, sheet.shape[0] * 4), Image.NEAREST).save(args.out)


if __name__ == "__main__":
    main()
