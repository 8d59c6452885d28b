package io.genway.llm.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** A tensor's header entry and its bytes, still in the mapped file (nothing is copied until asked). */
public record GgufTensor(GgufTensorInfo info, MemorySegment data) {
    public GgufTensor {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(data, "data");
        if (data.byteSize() != info.byteSize()) {
            throw new GgufFormatException("tensor " + info.name() + " needs " + info.byteSize() + " bytes, was given " + data.byteSize());
        }
    }

    public String name() {
        return info.name();
    }

    public GgmlType type() {
        return info.type();
    }

    /** All elements, dequantized, in storage order. */
    public float[] toFloats() {
        float[] out = new float[Math.toIntExact(info.elementCount())];
        QuantBlocks.dequantize(info.type(), data, 0, out, 0, out.length);
        return out;
    }

    /** Row {@code row} (of {@link GgufTensorInfo#rowLength()} elements), dequantized into {@code dst}. */
    public void readRow(long row, float[] dst) {
        QuantBlocks.dequantize(info.type(), data, row * info.rowLength(), dst, 0, info.rowLength());
    }

    /** The dot product of row {@code row} with {@code x}, computed on the stored (possibly quantized) form. */
    public float dotRow(long row, float[] x) {
        return QuantBlocks.dot(info.type(), data, row * info.rowLength(), x, 0, info.rowLength());
    }
}
