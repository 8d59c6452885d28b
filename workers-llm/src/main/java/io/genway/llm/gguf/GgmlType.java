package io.genway.llm.gguf;

/**
 * Tensor element types by their ggml ids. All are known so that any file's layout can be read; only those with
 * {@link #hasKernels()} can be dequantized or multiplied here.
 *
 * @see QuantBlocks for the block layouts
 */
public enum GgmlType {
    F32(0, 1, 4, true), F16(1, 1, 2, true), Q4_0(2, 32, 18, true), Q4_1(3, 32, 20, false),
    Q5_0(6, 32, 22, false), Q5_1(7, 32, 24, false), Q8_0(8, 32, 34, true), Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, false), Q3_K(11, 256, 110, false), Q4_K(12, 256, 144, true), Q5_K(13, 256, 176, false),
    Q6_K(14, 256, 210, true), Q8_K(15, 256, 292, false), I8(24, 1, 1, false), I16(25, 1, 2, false),
    I32(26, 1, 4, false), I64(27, 1, 8, false), F64(28, 1, 8, false), BF16(30, 1, 2, true);

    private final int id;
    private final int blockSize;
    private final int blockBytes;
    private final boolean kernels;

    GgmlType(int id, int blockSize, int blockBytes, boolean kernels) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.kernels = kernels;
    }

    public int id() {
        return id;
    }

    /** Elements per block; a row's length must be a multiple of it. */
    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** Whether this reader can dequantize and dot-multiply tensors of the type. */
    public boolean hasKernels() {
        return kernels;
    }

    public long bytesFor(long elements) {
        return elements / blockSize * blockBytes;
    }

    /** The type of ggml id {@code id}; {@code tensor} only names the tensor in the error. */
    public static GgmlType ofId(int id, String tensor) {
        for (GgmlType t : values()) {
            if (t.id == id) return t;
        }
        throw new GgufFormatException("tensor " + tensor + " has unknown ggml type " + id);
    }
}
