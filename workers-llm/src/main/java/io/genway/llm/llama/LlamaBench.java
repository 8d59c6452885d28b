package io.genway.llm.llama;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decode throughput of the batched forward pass, against the machine's memory bandwidth measured in the same run
 * (a benchmark, not a test). For each model and each batch size, every sequence first gets a short prompt, then
 * the batch decodes step after step; a step's time is one token for every sequence in it.
 *
 * <ul>
 *   <li>single-stream tokens/s: batch 1; aggregate tokens/s at batch N: N / step time;</li>
 *   <li>copy bandwidth: {@link MemorySegment#copy} of a 256 MiB buffer split over the same thread team, counted
 *       as bytes read plus bytes written (as STREAM's Copy counts them; a memcpy rate is half this figure), measured
 *       right after each level so that both see the same machine;</li>
 *   <li>bandwidth limit: copy bandwidth ÷ the bytes of weight matrices one decode step reads;</li>
 *   <li>cores busy: process CPU time ÷ wall time over the level, which shows how much of the machine the run got
 *       (other processes on a shared machine lower it).</li>
 * </ul>
 */
public final class LlamaBench {
    private static final int PROMPT = 16;

    private LlamaBench() {
    }

    /** Shape of a generated llama model with random weights. */
    public record Shape(int dim, int layers, int heads, int kvHeads, int ffnDim, int vocab, int context) {
        public long parameters() {
            long kvDim = (long) dim / heads * kvHeads;
            long layer = 2L * dim * dim + 2L * dim * kvDim + 3L * dim * ffnDim;
            return layers * layer + 2L * vocab * dim;
        }
    }

    /** About 0.29 B parameters: a small Llama-2-style shape. */
    public static final Shape LARGE = new Shape(1024, 20, 16, 4, 2816, 32000, 1024);

    public static void main(String[] args) throws IOException {
        List<Path> models = new ArrayList<>();
        List<Integer> levels = List.of(1, 4, 16);
        int steps = 24;
        Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
        boolean generate = true;
        List<GgmlType> types = List.of(GgmlType.Q8_0, GgmlType.Q4_0);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> models.add(Path.of(args[++i]));
                case "--levels" -> levels = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--no-generated" -> generate = false;
                case "--types" -> types = Arrays.stream(args[++i].split(",")).map(LlamaBench::generatedType).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --model FILE.gguf (repeatable), --levels 1,4,16, --steps N, --work-dir DIR, --types Q8_0,Q4_0, --no-generated)");
            }
        }
        if (generate) {
            Files.createDirectories(workDir);
            for (GgmlType type : types) {
                Path file = workDir.resolve("genway-bench-llama-" + LARGE.parameters() / 1_000_000 + "M-" + type + ".gguf");
                if (!Files.exists(file)) {
                    System.out.printf(Locale.ROOT, "writing %s (%.2f B parameters, random weights)%n", file, LARGE.parameters() / 1e9);
                    writeRandom(file, LARGE, type, 1);
                }
                models.add(file);
            }
        }
        run(models, levels, steps, System.out);
    }

    /** Matrix types the generated models can be written in: those with kernels and a quantizer. */
    static final List<GgmlType> GENERATED_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);

    private static GgmlType generatedType(String name) {
        for (GgmlType t : GENERATED_TYPES) {
            if (t.name().equalsIgnoreCase(name.strip())) return t;
        }
        throw new IllegalArgumentException("--types: unknown or unsupported matrix type " + name + " (supported: " + GENERATED_TYPES + ")");
    }

    public static void run(List<Path> models, List<Integer> levels, int steps, PrintStream out) throws IOException {
        Team team = Team.SHARED;
        out.printf(Locale.ROOT, "threads: %d; vector species: %s; load average at start: %.2f%n", team.size(), Kernels.F,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (Path path : models) {
            try (GgufFile file = GgufFile.open(path)) {
                Llama model = Llama.load(file);
                long bytes = model.weightBytesPerStep();
                out.printf(Locale.ROOT, "%n%s: dim %d, %d layers, ffn %d, vocab %d, matrices %s; %.1f MB of weights per step%n",
                        path.getFileName(), model.config().dim(), model.config().layers(), model.config().ffnDim(),
                        model.config().vocabularySize(), model.weights().layers()[0].wq().type(), bytes / 1e6);
                GgmlType type = model.weights().layers()[0].wq().type();
                List<Activations> ways = type == GgmlType.Q8_0 || type == GgmlType.Q4_0
                        ? List.of(Activations.F32, Activations.Q8) : List.of(Activations.F32);
                for (Activations activations : ways) {
                    if (ways.size() > 1) out.printf(Locale.ROOT, " activations %s:%n", activations.wire());
                    measure(model, levels, steps, activations, team, out);
                }
            }
        }
    }

    /** One line per level: step times, aggregate and per-stream tokens/s, against the bandwidth limit. */
    private static void measure(Llama model, List<Integer> levels, int steps, Activations activations, Team team, PrintStream out) {
        long bytes = model.weightBytesPerStep();
        double single = 0;
        for (int n : levels) {
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            double[] stepMs = stepTimesMs(model, n, steps, activations);
            double cpuShare = (double) (processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
            double copy = copyBandwidth(team); // right after the level, so that both see the same machine
            double limit = copy / bytes;
            double median = stepMs[stepMs.length / 2];
            double aggregate = n * 1000 / median;
            if (n == 1) single = aggregate;
            out.printf(Locale.ROOT, "  %2d sequences: step %8.2f ms median (best %.2f), aggregate %8.1f tokens/s, per stream %7.1f tokens/s; cores busy %.2f; copy bandwidth %.2f GB/s, limit %.1f tokens/s%s%s%n",
                    n, median, stepMs[0], aggregate, aggregate / n, cpuShare, copy / 1e9, limit,
                    n == 1 ? String.format(Locale.ROOT, ", single-stream at %.0f%% of the limit", 100 * aggregate / limit) : "",
                    n > 1 && single > 0 ? String.format(Locale.ROOT, ", %.2fx single-stream", aggregate / single) : "");
        }
    }

    /**
     * Sorted times of {@code steps} decode steps of {@code n} sequences, after a prompt each and a warm-up of at
     * least 8 steps and 3 seconds (the JIT compiles the kernels during the first steps).
     */
    static double[] stepTimesMs(Llama model, int n, int steps, Activations activations) {
        int warmup = warmupSteps(model, n, activations);
        int capacity = PROMPT + warmup + steps + 1;
        LlamaConfig c = model.config();
        KvCache cache = new KvCache(c, n * ((capacity + 15) / 16), 16, true);
        Llama.Workspace ws = model.workspace(n * PROMPT, n, activations);
        SplittableRandom random = new SplittableRandom(3);
        List<KvCache.Sequence> kv = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        List<Llama.Slice> slices = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            kv.add(cache.reserve(capacity));
            int[] prompt = random.ints(PROMPT, 0, c.vocabularySize()).toArray();
            tokens.add(prompt);
            logits.add(new float[c.vocabularySize()]);
            slices.add(new Llama.Slice(kv.get(s), prompt, 0, PROMPT, 0, logits.get(s)));
        }
        model.step(ws, slices);
        double[] times = new double[steps];
        int[][] next = new int[n][1];
        for (int i = 0; i < warmup + steps; i++) {
            slices.clear();
            for (int s = 0; s < n; s++) {
                next[s][0] = argmax(logits.get(s));
                slices.add(new Llama.Slice(kv.get(s), next[s], 0, 1, PROMPT + i, logits.get(s)));
            }
            long t0 = System.nanoTime();
            model.step(ws, slices);
            if (i >= warmup) times[i - warmup] = (System.nanoTime() - t0) / 1e6;
            if (Boolean.getBoolean("genway.bench.trace")) System.out.printf(Locale.ROOT, "    step %d: %.1f ms%n", i, (System.nanoTime() - t0) / 1e6);
        }
        Arrays.sort(times);
        return times;
    }

    /** Steps of a throwaway batch needed for 8 steps and 3 s of warm-up, at most 200. */
    private static int warmupSteps(Llama model, int n, Activations activations) {
        LlamaConfig c = model.config();
        KvCache cache = new KvCache(c, n * 2, 16, true);
        Llama.Workspace ws = model.workspace(n, n, activations);
        List<Llama.Slice> slices = new ArrayList<>();
        int[] token = {1};
        long start = System.nanoTime();
        int step = 0;
        List<KvCache.Sequence> kv = new ArrayList<>();
        for (int s = 0; s < n; s++) kv.add(cache.reserve(32));
        for (; step < 200 && (step < 8 || System.nanoTime() - start < 3_000_000_000L); step++) {
            slices.clear();
            for (int s = 0; s < n; s++) slices.add(new Llama.Slice(kv.get(s), token, 0, 1, step % 32, new float[c.vocabularySize()]));
            model.step(ws, slices);
        }
        return 2;
    }

    /** CPU time of this process so far (all threads), or 0 where the platform does not say. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /** Bytes moved per second (read + written) copying 256 MiB, split over the team; the median of 9 copies. */
    static double copyBandwidth(Team team) {
        long size = 256L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(size, 64);
            MemorySegment b = arena.allocate(size, 64);
            a.fill((byte) 1);
            b.fill((byte) 2);
            int parts = 64;
            long part = size / parts;
            MemorySegment src = a.asReadOnly();
            double[] rates = new double[9];
            for (int r = 0; r < rates.length + 2; r++) {
                long t0 = System.nanoTime();
                team.run(parts, true, (member, i) -> MemorySegment.copy(src, i * part, b, i * part, part));
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (r >= 2) rates[r - 2] = 2.0 * size / seconds;
            }
            Arrays.sort(rates);
            return rates[rates.length / 2];
        }
    }

    /** Writes a llama model of {@code shape} with random weights, every matrix stored as {@code type}. */
    public static void writeRandom(Path path, Shape shape, GgmlType type, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int kvDim = shape.dim() / shape.heads() * shape.kvHeads();
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putUint32("llama.embedding_length", shape.dim())
                .putUint32("llama.block_count", shape.layers())
                .putUint32("llama.feed_forward_length", shape.ffnDim())
                .putUint32("llama.attention.head_count", shape.heads())
                .putUint32("llama.attention.head_count_kv", shape.kvHeads())
                .putUint32("llama.context_length", shape.context())
                .putUint32("llama.vocab_size", shape.vocab())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putString("tokenizer.ggml.model", "none"); // no vocabulary, but a file llama.cpp's tools load too
        w.addTensor("token_embd.weight", type, new long[] {shape.dim(), shape.vocab()}, values(random, shape.dim() * shape.vocab()));
        for (int l = 0; l < shape.layers(); l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {shape.dim()}, ones(shape.dim()));
            w.addTensor(p + "attn_q.weight", type, new long[] {shape.dim(), shape.dim()}, values(random, shape.dim() * shape.dim()));
            w.addTensor(p + "attn_k.weight", type, new long[] {shape.dim(), kvDim}, values(random, shape.dim() * kvDim));
            w.addTensor(p + "attn_v.weight", type, new long[] {shape.dim(), kvDim}, values(random, shape.dim() * kvDim));
            w.addTensor(p + "attn_output.weight", type, new long[] {shape.dim(), shape.dim()}, values(random, shape.dim() * shape.dim()));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {shape.dim()}, ones(shape.dim()));
            w.addTensor(p + "ffn_gate.weight", type, new long[] {shape.dim(), shape.ffnDim()}, values(random, shape.dim() * shape.ffnDim()));
            w.addTensor(p + "ffn_up.weight", type, new long[] {shape.dim(), shape.ffnDim()}, values(random, shape.dim() * shape.ffnDim()));
            w.addTensor(p + "ffn_down.weight", type, new long[] {shape.ffnDim(), shape.dim()}, values(random, shape.ffnDim() * shape.dim()));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {shape.dim()}, ones(shape.dim()));
        w.addTensor("output.weight", type, new long[] {shape.dim(), shape.vocab()}, values(random, shape.dim() * shape.vocab()));
        w.write(path);
    }

    private static float[] values(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((random.nextDouble() - 0.5) * 0.08);
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }
}
