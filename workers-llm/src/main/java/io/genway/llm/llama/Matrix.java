package io.genway.llm.llama;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufTensor;
import io.genway.llm.gguf.QuantBlocks;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight matrix left in its stored form (usually the memory-mapped file): {@code rows} outputs of {@code cols}
 * inputs each, row-major as GGUF stores them. Rows are dequantized or dot-multiplied straight from the bytes.
 */
public record Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {
    public Matrix {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("matrix " + name + " needs rows and cols >= 1");
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("matrix " + name + ": row length " + cols + " is not a whole number of " + type + " blocks");
        }
        if (data.byteSize() != type.bytesFor((long) rows * cols)) {
            throw new IllegalArgumentException("matrix " + name + " needs " + type.bytesFor((long) rows * cols) + " bytes, has " + data.byteSize());
        }
    }

    /** A tensor of ggml shape (cols, rows) as a matrix. */
    static Matrix of(GgufTensor tensor) {
        long[] shape = tensor.info().shape();
        long rows = 1;
        for (int i = 1; i < shape.length; i++) rows *= shape[i];
        return new Matrix(tensor.name(), tensor.type(), tensor.data(), Math.toIntExact(rows), Math.toIntExact(shape[0]));
    }

    /** Bytes of one row in storage. */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    /** Row {@code row} as floats into {@code dst[offset..offset + cols)}. */
    public void readRow(int row, float[] dst, int offset) {
        QuantBlocks.dequantize(type, data, (long) row * cols, dst, offset, cols);
    }

    /** All elements, dequantized (tests). */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact((long) rows * cols)];
        QuantBlocks.dequantize(type, data, 0, out, 0, out.length);
        return out;
    }
}
