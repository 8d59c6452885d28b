"""How KQuantsTest's bounds were measured (not run by the tests).

f32.gguf: an F32 llama GGUF (written with GgufWriter) whose blk.0.attn_q.weight holds KQuantsTest.gaussianRows();
Q4_K.gguf and Q6_K.gguf: llama.cpp's `llama-quantize --pure f32.gguf Q4_K.gguf Q4_K` (and Q6_K), which without an
importance matrix uses ggml's reference quantizers. Prints each type's relative RMS error (RMS of the error over RMS
of the values), dequantizing with gguf-py. Measured with llama.cpp c392e50 (February 2025): Q4_K 0.071327, Q6_K 0.017736.
"""
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

NAME = "blk.0.attn_q.weight"


def tensor(path):
    return next(t for t in GGUFReader(path).tensors if t.name == NAME)


folder = sys.argv[1] if len(sys.argv) > 1 else "."
x = np.array(tensor(f"{folder}/f32.gguf").data, dtype=np.float64).reshape(-1)
for name in ("Q4_K", "Q6_K"):
    q = tensor(f"{folder}/{name}.gguf")
    back = dequantize(q.data, q.tensor_type).astype(np.float64).reshape(-1)
    print(name, q.tensor_type.name, "relative RMS error %.6f" % (np.sqrt(np.mean((back - x) ** 2)) / np.sqrt(np.mean(x ** 2))))
