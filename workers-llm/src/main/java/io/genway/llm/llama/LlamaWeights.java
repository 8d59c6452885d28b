package io.genway.llm.llama;

import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufTensor;
import java.util.Objects;

/**
 * A Llama model's weights. Matrices stay in their stored type where the file holds them (memory-mapped: the
 * file must stay open while the weights are used), row-major with one output per row as GGUF stores them
 * ({@code (out, in)} below); norm weights are copied to F32 arrays.
 *
 * @param tokenEmbedding (vocab, dim)
 * @param outputNorm     (dim)
 * @param output         (vocab, dim); the same array as {@code tokenEmbedding} when the model ties them
 */
public record LlamaWeights(Matrix tokenEmbedding, Layer[] layers, float[] outputNorm, Matrix output) {
    public LlamaWeights {
        Objects.requireNonNull(tokenEmbedding, "tokenEmbedding");
        Objects.requireNonNull(layers, "layers");
        Objects.requireNonNull(outputNorm, "outputNorm");
        Objects.requireNonNull(output, "output");
    }

    /**
     * One transformer block.
     *
     * @param attentionNorm (dim)
     * @param wq            (dim, dim)
     * @param wk            (kvDim, dim)
     * @param wv            (kvDim, dim)
     * @param qBias         (dim), or null when the projection has no bias
     * @param kBias         (kvDim), or null
     * @param vBias         (kvDim), or null
     * @param wo            (dim, dim)
     * @param ffnNorm       (dim)
     * @param gate          (ffnDim, dim)
     * @param up            (ffnDim, dim)
     * @param down          (dim, ffnDim)
     */
    public record Layer(float[] attentionNorm, Matrix wq, Matrix wk, Matrix wv, float[] qBias, float[] kBias, float[] vBias, Matrix wo,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {
        public Layer {
            Objects.requireNonNull(attentionNorm, "attentionNorm");
            Objects.requireNonNull(wq, "wq");
            Objects.requireNonNull(wk, "wk");
            Objects.requireNonNull(wv, "wv");
            Objects.requireNonNull(wo, "wo");
            Objects.requireNonNull(ffnNorm, "ffnNorm");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(up, "up");
            Objects.requireNonNull(down, "down");
        }
    }

    /**
     * Reads llama.cpp's tensor names, checking every shape against {@code config}. Q/K/V biases are required when
     * the config says so and read when present otherwise; without {@code output.weight} the output is tied to the
     * token embedding.
     */
    public static LlamaWeights load(GgufFile file, LlamaConfig c) {
        int vocab = c.vocabularySize();
        Matrix embedding = matrix(file, "token_embd.weight", c.dim(), vocab);
        Layer[] layers = new Layer[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            if (file.hasTensor(p + "attn_output.bias")) throw new GgufFormatException("tensor " + p + "attn_output.bias is not supported");
            layers[l] = new Layer(
                    read(file, p + "attn_norm.weight", c.dim()),
                    matrix(file, p + "attn_q.weight", c.dim(), c.dim()),
                    matrix(file, p + "attn_k.weight", c.dim(), c.kvDim()),
                    matrix(file, p + "attn_v.weight", c.dim(), c.kvDim()),
                    bias(file, p + "attn_q.bias", c.qkvBias(), c.dim()),
                    bias(file, p + "attn_k.bias", c.qkvBias(), c.kvDim()),
                    bias(file, p + "attn_v.bias", c.qkvBias(), c.kvDim()),
                    matrix(file, p + "attn_output.weight", c.dim(), c.dim()),
                    read(file, p + "ffn_norm.weight", c.dim()),
                    matrix(file, p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                    matrix(file, p + "ffn_up.weight", c.dim(), c.ffnDim()),
                    matrix(file, p + "ffn_down.weight", c.ffnDim(), c.dim()));
        }
        Matrix output = file.hasTensor("output.weight") ? matrix(file, "output.weight", c.dim(), vocab) : embedding;
        return new LlamaWeights(embedding, layers, read(file, "output_norm.weight", c.dim()), output);
    }

    /** A matrix tensor left in place after checking its shape and that there are kernels for its type. */
    private static Matrix matrix(GgufFile file, String name, long... shape) {
        GgufTensor tensor = checked(file, name, shape);
        if (!tensor.type().hasKernels()) {
            throw new GgufFormatException("tensor " + name + " has type " + tensor.type() + ", which has no kernels here");
        }
        return Matrix.of(tensor);
    }

    /** A bias vector: required, or null when {@code file} lacks it and it is optional. */
    private static float[] bias(GgufFile file, String name, boolean required, int length) {
        return required || file.hasTensor(name) ? read(file, name, length) : null;
    }

    /** A tensor's floats after checking its ggml shape (row length first). */
    private static float[] read(GgufFile file, String name, long... shape) {
        return checked(file, name, shape).toFloats();
    }

    private static GgufTensor checked(GgufFile file, String name, long... shape) {
        GgufTensor tensor = file.tensor(name);
        long[] actual = tensor.info().shape();
        boolean matches = actual.length >= shape.length;
        for (int i = 0; matches && i < actual.length; i++) matches = actual[i] == (i < shape.length ? shape[i] : 1);
        if (!matches) {
            throw new GgufFormatException("tensor " + name + " has shape " + java.util.Arrays.toString(actual)
                    + ", the config needs " + java.util.Arrays.toString(shape));
        }
        return tensor;
    }
}
