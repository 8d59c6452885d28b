package io.genway.diffusion.clip;

import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.Safetensors;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import io.genway.diffusion.safetensors.TensorStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A benchmark, not a test: milliseconds per 77-token prompt through a Stable Diffusion 1.5-shaped text encoder
 * (12 layers of 768, random weights). src/test/python/clip_benchmark.py times PyTorch on the same shape.
 * Run: {@code java -cp <test and main classes + deps> io.genway.diffusion.clip.ClipTextBenchmark [runs]}.
 */
public final class ClipTextBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        ClipTextConfig config = new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5);
        Path file = Files.createTempFile("clip-bench", ".safetensors");
        try {
            SafetensorsWriter writer = new SafetensorsWriter();
            SplittableRandom random = new SplittableRandom(1);
            for (Map.Entry<String, long[]> tensor : ClipTextModel.shapes(config).entrySet()) {
                float[] values = new float[(int) Arrays.stream(tensor.getValue()).reduce(1, (a, b) -> a * b)];
                boolean scale = tensor.getKey().contains("layer_norm") && tensor.getKey().endsWith("weight");
                for (int i = 0; i < values.length; i++) values[i] = (float) ((scale ? 1 : 0) + 0.02 * random.nextGaussian());
                writer.add(tensor.getKey(), Dtype.F32, tensor.getValue(), values);
            }
            writer.write(file);
            ClipTextModel model;
            try (TensorStore store = Safetensors.open(file)) {
                model = ClipTextModel.load(config, store);
            }
            int[] ids = new int[77];
            for (int i = 0; i < ids.length; i++) ids[i] = (i * 7919) % 49408;
            model.encode(ids); // warm-up
            model.encode(ids);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long[] times = new long[runs];
            long[] cpu = new long[runs];
            for (int r = 0; r < runs; r++) {
                long start = System.nanoTime();
                long cpuStart = os.getProcessCpuTime();
                model.encode(ids);
                times[r] = System.nanoTime() - start;
                cpu[r] = os.getProcessCpuTime() - cpuStart;
            }
            Arrays.sort(times);
            Arrays.sort(cpu);
            System.out.printf("java CLIP text encoder (SD 1.5 shape), %d threads: median %.1f ms per prompt, "
                    + "%.1f CPU-ms, over %d runs%n", Runtime.getRuntime().availableProcessors(), times[runs / 2] / 1e6,
                    cpu[runs / 2] / 1e6, runs);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
