"""PyTorch's time per 77-token prompt through a Stable Diffusion 1.5-shaped CLIPTextModel (random weights), to set
beside ClipTextBenchmark.java on the same machine. Usage: python3 clip_benchmark.py [threads] [runs]"""
import sys
import time

import torch
from transformers import CLIPTextConfig, CLIPTextModel

threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.set_num_threads(threads)
model = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                                     num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu")).eval()
ids = torch.tensor([[(i * 7919) % 49408 for i in range(77)]])
times, cpu = [], []
with torch.inference_mode():
    model(input_ids=ids)
    model(input_ids=ids)
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        model(input_ids=ids)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
times.sort()
cpu.sort()
print(f"torch {torch.__version__} CLIP text encoder (SD 1.5 shape), {threads} threads: "
      f"median {times[runs // 2] * 1e3:.1f} ms per prompt, {cpu[runs // 2] * 1e3:.1f} CPU-ms, over {runs} runs")
