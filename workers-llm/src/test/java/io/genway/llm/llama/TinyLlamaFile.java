package io.genway.llm.llama;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufValueType;
import io.genway.llm.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Writes a small random Llama model (dim 64, 2 layers, 4 heads over 2 KV heads) with every matrix in one type. */
final class TinyLlamaFile {
    static final int DIM = 64;
    static final int LAYERS = 2;
    static final int FFN = 96;
    static final int VOCAB = 32;
    static final int KV_DIM = 32;

    private TinyLlamaFile() {
    }

    static void write(Path path, GgmlType matrixType, boolean tiedOutput) throws IOException {
        write(path, matrixType, tiedOutput, "llama");
    }

    /** The same model under {@code general.architecture = arch} and {@code arch.*} keys (no biases, whatever arch wants). */
    static void write(Path path, GgmlType matrixType, boolean tiedOutput, String arch) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        String[] tokens = new String[VOCAB];
        for (int i = 0; i < VOCAB; i++) tokens[i] = "t" + i;
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putUint32(arch + ".embedding_length", DIM)
                .putUint32(arch + ".block_count", LAYERS)
                .putUint32(arch + ".feed_forward_length", FFN)
                .putUint32(arch + ".attention.head_count", 4)
                .putUint32(arch + ".attention.head_count_kv", 2)
                .putUint32(arch + ".context_length", 64)
                .putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-5f)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens);
        w.addTensor("token_embd.weight", matrixType, new long[] {DIM, VOCAB}, values(random, DIM * VOCAB, 1f));
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {DIM}, ones(DIM));
            w.addTensor(p + "attn_q.weight", matrixType, new long[] {DIM, DIM}, values(random, DIM * DIM, 0.2f));
            w.addTensor(p + "attn_k.weight", matrixType, new long[] {DIM, KV_DIM}, values(random, DIM * KV_DIM, 0.2f));
            w.addTensor(p + "attn_v.weight", matrixType, new long[] {DIM, KV_DIM}, values(random, DIM * KV_DIM, 0.2f));
            w.addTensor(p + "attn_output.weight", matrixType, new long[] {DIM, DIM}, values(random, DIM * DIM, 0.2f));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {DIM}, ones(DIM));
            w.addTensor(p + "ffn_gate.weight", matrixType, new long[] {DIM, FFN}, values(random, DIM * FFN, 0.2f));
            w.addTensor(p + "ffn_up.weight", matrixType, new long[] {DIM, FFN}, values(random, DIM * FFN, 0.2f));
            w.addTensor(p + "ffn_down.weight", matrixType, new long[] {FFN, DIM}, values(random, FFN * DIM, 0.2f));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {DIM}, ones(DIM));
        if (!tiedOutput) w.addTensor("output.weight", matrixType, new long[] {DIM, VOCAB}, values(random, DIM * VOCAB, 0.2f));
        w.write(path);
    }

    private static float[] values(SplittableRandom random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (random.nextDouble(-1, 1) * scale);
        return v;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
