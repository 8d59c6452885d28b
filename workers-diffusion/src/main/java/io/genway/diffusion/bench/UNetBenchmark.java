package io.genway.diffusion.bench;

import io.genway.diffusion.model.UNet2DConditionConfig;
import io.genway.diffusion.model.UNet2DConditionWeights;
import io.genway.diffusion.model.UNet2DConfig;
import io.genway.diffusion.model.UNet2DWeights;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Gemm;
import io.genway.diffusion.nn.Parallel;
import io.genway.diffusion.nn.Tokens;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.TensorInfo;
import io.genway.diffusion.safetensors.TensorStore;
import io.genway.diffusion.unet.UNet2DConditionModel;
import io.genway.diffusion.unet.UNet2DModel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Supplier;

/**
 * UNet forward passes per second on the shared fixture's UNet2DModel and on an SD-shaped UNet2DConditionModel with
 * formula weights, at 32x32 and 64x64 latents, batch 1 and 4, beside the rate this GEMM reaches on a large product
 * (the ideal: model FLOPs ÷ that rate). reference/bench.sh runs it and the PyTorch counterpart one after the other.
 *
 * <p>Arguments: {@code --widths 64,128,256,256} (the SD model's block_out_channels; SD 1.5 is 320,640,1280,1280),
 * {@code --sizes 32,64}, {@code --batches 1,4}, {@code --seconds 8} (minimum measured time per case). Threads:
 * {@code -Dgenway.diffusion.threads=N} (default: all cores).
 */
public final class UNetBenchmark {
    private UNetBenchmark() {}

    public static void main(String[] args) {
        Map<String, String> options = options(args);
        List<Integer> widths = integers(options.getOrDefault("widths", "64,128,256,256"));
        List<Integer> sizes = integers(options.getOrDefault("sizes", "32,64"));
        List<Integer> batches = integers(options.getOrDefault("batches", "1,4"));
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "8"));
        List<String> models = Arrays.asList(options.getOrDefault("models", "fixture,sd").split(","));
        System.out.printf(Locale.ROOT, "java threads=%d%n", Parallel.threads());
        double gemmRate = gemmFlops(seconds);

        if (models.contains("fixture")) measureFixture(sizes, batches, seconds, gemmRate);
        if (models.contains("sd")) measureSdShaped(widths, sizes, batches, seconds, gemmRate);
    }

    private static void measureFixture(List<Integer> sizes, List<Integer> batches, double seconds,
            double gemmRate) {
        UNet2DConfig fixtureConfig = fixtureConfig();
        UNet2DModel fixture;
        try (TensorStore store = formulaWeights(Path.of("formula-fixture"),
                UNet2DWeights.shapes(fixtureConfig))) {
            fixture = UNet2DModel.load(fixtureConfig, store);
        }
        for (int size : sizes) {
            for (int batch : batches) {
                FeatureMap x = pattern(batch, 3, size);
                measure("fixture UNet2DModel", size, batch, seconds, gemmRate, () -> fixture.predict(x, 10f));
            }
        }
    }

    private static void measureSdShaped(List<Integer> widths, List<Integer> sizes, List<Integer> batches,
            double seconds, double gemmRate) {
        UNet2DConditionConfig sdConfig = sdShapedConfig(widths);
        UNet2DConditionModel sd;
        try (TensorStore store = formulaWeights(Path.of("formula-sd"),
                UNet2DConditionWeights.shapes(sdConfig))) {
            sd = UNet2DConditionModel.load(sdConfig, store);
        }
        for (int size : sizes) {
            for (int batch : batches) {
                FeatureMap x = pattern(batch, 4, size);
                float[] text = new float[batch * 77 * 768];
                for (int i = 0; i < text.length; i++) text[i] = (float) Math.cos(0.02 * i);
                Tokens states = new Tokens(batch, 77, 768, text);
                measure("sd-shaped " + widths.toString().replace(" ", ""), size, batch, seconds, gemmRate,
                        () -> sd.predict(x, 500f, states));
            }
        }
    }

    /** SD 1.x's UNet layout (blocks, 8 heads, 768-wide text, GEGLU) at the given widths. */
    static UNet2DConditionConfig sdShapedConfig(List<Integer> widths) {
        int blocks = widths.size();
        List<String> down = new ArrayList<>();
        List<String> up = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            down.add(i < blocks - 1 ? "CrossAttnDownBlock2D" : "DownBlock2D");
            up.add(i == 0 ? "UpBlock2D" : "CrossAttnUpBlock2D");
        }
        return new UNet2DConditionConfig(64, 4, 4, false, true, 0, down, "UNetMidBlock2DCrossAttn", up, widths, 2, 1,
                1, 32, 1e-5, 768, List.of(1, 1, 1, 1).subList(0, blocks), java.util.Collections.nCopies(blocks, 8),
                false, false);
    }

    /** The shared reference fixture's config (reference/unet2d-fixture.md). */
    static UNet2DConfig fixtureConfig() {
        return new UNet2DConfig(16, 3, 3, false, true, 0, List.of("DownBlock2D", "AttnDownBlock2D"),
                List.of("AttnUpBlock2D", "UpBlock2D"), List.of(32, 64), 2, 1, 1, List.of(8, 8), 32, 32, 1e-5, true,
                128, UNet2DConfig.ClassEmbedding.NONE, 0);
    }

    private static void measure(String model, int size, int batch, double seconds, double gemmRate,
            Supplier<FeatureMap> pass) {
        long before = Gemm.multiplyAddsSoFar();
        pass.get(); // the FLOP count of one pass
        double flops = 2.0 * (Gemm.multiplyAddsSoFar() - before);
        // warm-up until the JIT has compiled the kernels: its threads' CPU time would count otherwise
        long warmStart = System.nanoTime();
        for (int i = 0; i < 1 || (System.nanoTime() - warmStart) / 1e9 < seconds / 2; i++) pass.get();
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        while (times.size() < 3 || (System.nanoTime() - start) / 1e9 < seconds) {
            long t0 = System.nanoTime();
            pass.get();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        double cpu = (processCpuNanos() - cpuStart) / 1e9 / times.size();
        double median = median(times);
        System.out.printf(Locale.ROOT, "java %s %dx%d batch %d: %.3f passes/s (median %.1f ms of %d; mean cpu %.1f"
                + " ms), %.2f GFLOP per pass, %.1f GFLOP/s = %.0f%% of the GEMM rate%n", model, size, size, batch,
                1 / median, median * 1e3, times.size(), cpu * 1e3, flops / 1e9, flops / median / 1e9,
                100 * flops / median / gemmRate);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /**
     * CPU time of the whole process (every thread, JIT and GC included): on a machine shared with other work it
     * moves far less than wall time, so it is printed beside it.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The rate this GEMM sustains on a conv-sized product, all threads. */
    private static double gemmFlops(double seconds) {
        int m = 1024;
        int n = 1024;
        int k = 1152;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i);
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i);
        for (int i = 0; i < 3; i++) Gemm.multiplyParallel(m, n, k, a, 0, k, b, 0, n, c, 0, n, false); // JIT warm-up
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        while (times.size() < 5 || (System.nanoTime() - start) / 1e9 < seconds / 2) {
            long t0 = System.nanoTime();
            Gemm.multiplyParallel(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
            times.add((System.nanoTime() - t0) / 1e9);
        }
        double cpu = (processCpuNanos() - cpuStart) / 1e9 / times.size();
        double flops = 2.0 * m * n * k;
        System.out.printf(Locale.ROOT, "java gemm 1024x1024x1152: %.1f GFLOP/s (%.1f per cpu-second)%n",
                flops / median(times) / 1e9, flops / cpu / 1e9);
        return flops / median(times);
    }

    private static FeatureMap pattern(int batch, int channels, int size) {
        float[] x = new float[batch * channels * size * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(0.01 * i);
        return new FeatureMap(batch, channels, size, size, x);
    }

    /**
     * Weights by the fixture's formula (0.05 sin(0.1 i + k) for the k-th name in sorted order, norm scales lifted
     * by 1), computed when read: nothing is written, so a full-width SD UNet (3.4 GB of floats) needs no file and no
     * second copy.
     */
    private static TensorStore formulaWeights(Path file, Map<String, long[]> shapes) {
        List<String> names = new ArrayList<>(shapes.keySet());
        names.sort(null);
        SequencedMap<String, TensorInfo> infos = new LinkedHashMap<>();
        long offset = 0;
        for (String name : names) {
            long bytes = 4 * Arrays.stream(shapes.get(name)).reduce(1, (p, q) -> p * q);
            infos.put(name, new TensorInfo(name, Dtype.F32, shapes.get(name), offset, offset + bytes));
            offset += bytes;
        }
        return new TensorStore() {
            @Override
            public Path path() {
                return file;
            }

            @Override
            public SequencedMap<String, TensorInfo> tensors() {
                return Collections.unmodifiableSequencedMap(infos);
            }

            @Override
            public Map<String, String> metadata() {
                return Map.of();
            }

            @Override
            public TensorInfo info(String name) {
                TensorInfo info = infos.get(name);
                if (info == null) throw new IllegalArgumentException("no tensor " + name);
                return info;
            }

            @Override
            public MemorySegment data(String name) {
                return MemorySegment.ofArray(floats(name));
            }

            @Override
            public float[] floats(String name) {
                int k = names.indexOf(name);
                boolean scale = name.matches("(.*\\.)?(norm[0-9]*|group_norm|conv_norm_out)\\.weight");
                float[] values = new float[(int) info(name).elementCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (0.05 * Math.sin(0.1 * i + k) + (scale ? 1 : 0));
                }
                return values;
            }

            @Override
            public byte[] bytes(String name) {
                float[] values = floats(name);
                ByteBuffer out = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) out.putFloat(v);
                return out.array();
            }

            @Override
            public void close() {}
        };
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static List<Integer> integers(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
