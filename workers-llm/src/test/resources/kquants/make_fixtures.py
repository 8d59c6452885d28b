"""Writes the K-quant fixtures KQuantsTest reads: random Q4_K and Q6_K blocks (with sane F16 scales) and their
values as gguf-py (llama.cpp's own Python package, an independent implementation) dequantizes them.

Run from this folder: python3 make_fixtures.py   (needs numpy and gguf; the tests themselves need no Python)
"""
import numpy as np
from gguf import quants, GGMLQuantizationType as T

ROWS, COLS = 4, 512
rng = np.random.default_rng(2024)


def f16(values):
    return np.asarray(values, dtype=np.float16).view(np.uint8).reshape(-1, 2)


for name, qtype, size in (("q4_k", T.Q4_K, 144), ("q6_k", T.Q6_K, 210)):
    blocks = ROWS * COLS // 256
    raw = rng.integers(0, 256, size=(blocks, size), dtype=np.uint8)
    if qtype == T.Q4_K:
        raw[:, 0:2] = f16(rng.uniform(0.001, 0.01, blocks))   # d
        raw[:, 2:4] = f16(rng.uniform(0.001, 0.01, blocks))   # dmin
    else:
        raw[:, 208:210] = f16(rng.uniform(0.0005, 0.005, blocks))  # d
    values = quants.dequantize(raw.reshape(-1), qtype).astype("<f4")
    assert values.size == ROWS * COLS
    raw.tofile(name + ".bin")
    values.tofile(name + ".f32")
    print(name, raw.size, "bytes,", values.size, "values")
