"""The PyTorch side of the UNet benchmark: unet_torch's models (plain modules, no diffusers) at the configs
UNetBenchmark.java uses, formula weights, the same inputs, the same thread count, forward passes per second
(median). Also torch's own matmul rate on the same 1024x1024x1152 product. Run by bench.sh after the Java side.

usage: python3 bench_torch.py THREADS WIDTHS SIZES BATCHES SECONDS [MODELS]   (e.g. 2 160,320,640,640 32,64 1,4 8 sd)
MODELS: fixture, sd or both (the default, fixture,sd).
"""
import sys
import time

import torch

import unet_torch
from make_expected import fill


def median_seconds(fn, seconds):
    """Median wall seconds of fn, the number of runs, and the mean process CPU seconds per run (all threads)."""
    fn()  # warm-up
    times = []
    start = time.perf_counter()
    cpu_start = time.process_time()
    while len(times) < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    cpu = (time.process_time() - cpu_start) / len(times)
    times.sort()
    return times[len(times) // 2], len(times), cpu


def main():
    threads, widths, sizes, batches, seconds = sys.argv[1:6]
    torch.set_num_threads(int(threads))
    widths = [int(w) for w in widths.split(",")]
    sizes = [int(s) for s in sizes.split(",")]
    batches = [int(b) for b in batches.split(",")]
    seconds = float(seconds)
    models = (sys.argv[6] if len(sys.argv) > 6 else "fixture,sd").split(",")
    print(f"torch {torch.__version__} threads={torch.get_num_threads()}")
    a = torch.sin(torch.arange(1024 * 1152, dtype=torch.float32)).reshape(1024, 1152)
    b = torch.cos(torch.arange(1152 * 1024, dtype=torch.float32)).reshape(1152, 1024)
    t, _, cpu = median_seconds(lambda: a @ b, seconds / 2)
    flops = 2 * 1024 * 1024 * 1152
    print(f"torch matmul 1024x1024x1152: {flops / t / 1e9:.1f} GFLOP/s ({flops / cpu / 1e9:.1f} per cpu-second)")

    fixture_cfg = {"in_channels": 3, "out_channels": 3, "down_block_types": ["DownBlock2D", "AttnDownBlock2D"],
                   "up_block_types": ["AttnUpBlock2D", "UpBlock2D"], "block_out_channels": [32, 64],
                   "layers_per_block": 2, "attention_head_dim": 8, "norm_num_groups": 32}
    n = len(widths)
    sd_cfg = {"in_channels": 4, "out_channels": 4, "block_out_channels": widths, "layers_per_block": 2,
              "down_block_types": ["CrossAttnDownBlock2D"] * (n - 1) + ["DownBlock2D"],
              "up_block_types": ["UpBlock2D"] + ["CrossAttnUpBlock2D"] * (n - 1),
              "cross_attention_dim": 768, "attention_head_dim": 8, "norm_num_groups": 32}
    with torch.no_grad():
        fixture = fill(unet_torch.UNet(fixture_cfg, conditional=False), 0.05).eval()
        for size in sizes if "fixture" in models else []:
            for batch in batches:
                x = torch.sin(0.01 * torch.arange(batch * 3 * size * size, dtype=torch.float64)).float()
                x = x.reshape(batch, 3, size, size)
                t, runs, cpu = median_seconds(lambda: fixture(x, 10), seconds)
                print(f"torch fixture UNet2DModel {size}x{size} batch {batch}: {1 / t:.3f} passes/s"
                      f" (median {t * 1e3:.1f} ms of {runs}; mean cpu {cpu * 1e3:.1f} ms)")
        del fixture
        if "sd" not in models:
            return
        sd = fill(unet_torch.UNet(sd_cfg, conditional=True), 0.05).eval()
        name = "sd-shaped [" + ",".join(str(w) for w in widths) + "]"
        for size in sizes:
            for batch in batches:
                x = torch.sin(0.01 * torch.arange(batch * 4 * size * size, dtype=torch.float64)).float()
                x = x.reshape(batch, 4, size, size)
                ctx = torch.cos(0.02 * torch.arange(batch * 77 * 768, dtype=torch.float64)).float()
                ctx = ctx.reshape(batch, 77, 768)
                t, runs, cpu = median_seconds(lambda: sd(x, 500, ctx), seconds)
                print(f"torch {name} {size}x{size} batch {batch}: {1 / t:.3f} passes/s"
                      f" (median {t * 1e3:.1f} ms of {runs}; mean cpu {cpu * 1e3:.1f} ms)")


if __name__ == "__main__":
    main()
