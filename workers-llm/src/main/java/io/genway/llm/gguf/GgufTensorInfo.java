package io.genway.llm.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's entry in the GGUF header. {@code shape} is in ggml order: {@code shape[0]} is the row length (the
 * contiguous dimension), so a weight matrix of {@code shape = (in, out)} holds {@code out} rows of {@code in}
 * elements. {@code offset} counts from the start of the data section.
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long offset) {
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        if (shape.length < 1 || shape.length > 4) throw new GgufFormatException("tensor " + name + " has " + shape.length + " dimensions, 1 to 4 allowed");
        for (long d : shape) {
            if (d <= 0) throw new GgufFormatException("tensor " + name + " has a dimension of " + d);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new GgufFormatException("tensor " + name + " has rows of " + shape[0] + " elements, not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        if (offset < 0) throw new GgufFormatException("tensor " + name + " has a negative offset");
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() {
        return type.bytesFor(elementCount());
    }

    public int rowLength() {
        return Math.toIntExact(shape[0]);
    }

    public long rows() {
        return elementCount() / shape[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape) && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset;
    }
}
