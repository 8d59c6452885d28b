package io.genway.diffusion.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Turns a tensor's little-endian bytes into heap arrays. */
final class TensorBytes {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorBytes() {}

    static float[] floats(Path file, TensorInfo info, MemorySegment data) {
        int count = arrayLength(file, info, info.elementCount());
        float[] out = new float[count];
        switch (info.dtype()) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, count);
            case F16 -> {
                short[] halves = halves(data, count);
                for (int i = 0; i < count; i++) out[i] = Float.float16ToFloat(halves[i]);
            }
            // bfloat16 is the top half of a float32
            case BF16 -> {
                short[] halves = halves(data, count);
                for (int i = 0; i < count; i++) out[i] = Float.intBitsToFloat((halves[i] & 0xFFFF) << 16);
            }
            default -> throw new SafetensorsException(file, "tensor " + info.name() + ": dtype " + info.dtype()
                    + " cannot be read as float (F32, F16 or BF16 only)");
        }
        return out;
    }

    static byte[] bytes(Path file, TensorInfo info, MemorySegment data) {
        arrayLength(file, info, info.byteSize());
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    private static short[] halves(MemorySegment data, int count) {
        short[] out = new short[count];
        MemorySegment.copy(data, HALF, 0, out, 0, count);
        return out;
    }

    private static int arrayLength(Path file, TensorInfo info, long length) {
        if (length > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file, "tensor " + info.name() + " is too large for a Java array ("
                    + length + "); read it through data()");
        }
        return (int) length;
    }
}
