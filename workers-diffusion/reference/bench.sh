#!/usr/bin/env bash
# UNet forward passes/s: the native Java engine, then the same models in PyTorch (unet_torch.py), on the same
# thread count, one after the other in one run. Needs python3 with torch (CPU); builds workers-diffusion first.
#   workers-diffusion/reference/bench.sh [THREADS] [WIDTHS] [SIZES] [BATCHES] [SECONDS] [MODELS]
# defaults: all cores, SD 1.x layout at a fifth of its width (64,128,256,256), 32,64 latents, batch 1,4, 8 s per case,
# both models (MODELS: fixture, sd or fixture,sd).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="${1:-$(nproc)}"
widths="${2:-64,128,256,256}"
sizes="${3:-32,64}"
batches="${4:-1,4}"
seconds="${5:-8}"
models="${6:-fixture,sd}"
java_home="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
JAVA_HOME="$java_home" ./mvnw -q compile dependency:build-classpath -pl workers-diffusion -am \
    -Dmdep.outputFile="$root/workers-diffusion/target/bench.classpath" -Dmdep.includeScope=runtime
classpath="$root/workers-diffusion/target/classes:$(cat "$root/workers-diffusion/target/bench.classpath")"
"$java_home/bin/java" --add-modules=jdk.incubator.vector -Dgenway.diffusion.threads="$threads" -Xmx8g \
    -cp "$classpath" io.genway.diffusion.bench.UNetBenchmark \
    --widths "$widths" --sizes "$sizes" --batches "$batches" --seconds "$seconds" --models "$models" 2>&1 | grep -v '^WARNING'
cd "$here"
python3 bench_torch.py "$threads" "$widths" "$sizes" "$batches" "$seconds" "$models"
