package io.genway.llm.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reading and writing tensor data of the types with kernels, as ggml lays them out (little-endian):
 * <ul>
 *   <li>F32, F16 (IEEE half), BF16 (the top 16 bits of an F32): one element after another;</li>
 *   <li>Q8_0: blocks of 32 elements, an F16 scale {@code d} then 32 int8 {@code q}; x = d * q;</li>
 *   <li>Q4_0: blocks of 32 elements, an F16 scale {@code d} then 16 bytes; byte j holds element j in its low
 *       nibble and element j + 16 in its high nibble; x = d * (nibble - 8).</li>
 * </ul>
 * Element ranges passed here start and end on block boundaries. Plain loops: correctness first, SIMD later.
 */
public final class QuantBlocks {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK = 32;

    private QuantBlocks() {
    }

    /** Writes {@code count} elements starting at element {@code first} of {@code data} into {@code dst[dstOffset..]}. */
    public static void dequantize(GgmlType type, MemorySegment data, long first, float[] dst, int dstOffset, int count) {
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, first * 4, dst, dstOffset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(data.get(I16, (first + i) * 2));
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = bf16ToFloat(data.get(I16, (first + i) * 2));
            }
            case Q8_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    long at = (first / QK + b) * type.blockBytes();
                    float d = Float.float16ToFloat(data.get(I16, at));
                    for (int j = 0; j < QK; j++) dst[dstOffset + b * QK + j] = d * data.get(ValueLayout.JAVA_BYTE, at + 2 + j);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    long at = (first / QK + b) * type.blockBytes();
                    float d = Float.float16ToFloat(data.get(I16, at));
                    int out = dstOffset + b * QK;
                    for (int j = 0; j < QK / 2; j++) {
                        int packed = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                        dst[out + j] = d * ((packed & 0x0F) - 8);
                        dst[out + j + QK / 2] = d * ((packed >>> 4) - 8);
                    }
                }
            }
            default -> throw noKernels(type);
        }
    }

    /** The dot product of {@code count} elements from element {@code first} with {@code x[xOffset..]}. */
    public static float dot(GgmlType type, MemorySegment data, long first, float[] x, int xOffset, int count) {
        float sum = 0f;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) sum += data.get(F32, (first + i) * 4) * x[xOffset + i];
            }
            case F16 -> {
                for (int i = 0; i < count; i++) sum += Float.float16ToFloat(data.get(I16, (first + i) * 2)) * x[xOffset + i];
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) sum += bf16ToFloat(data.get(I16, (first + i) * 2)) * x[xOffset + i];
            }
            case Q8_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    long at = (first / QK + b) * type.blockBytes();
                    int xi = xOffset + b * QK;
                    float block = 0f;
                    for (int j = 0; j < QK; j++) block += data.get(ValueLayout.JAVA_BYTE, at + 2 + j) * x[xi + j];
                    sum += block * Float.float16ToFloat(data.get(I16, at));
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    long at = (first / QK + b) * type.blockBytes();
                    int xi = xOffset + b * QK;
                    float block = 0f;
                    for (int j = 0; j < QK / 2; j++) {
                        int packed = data.get(ValueLayout.JAVA_BYTE, at + 2 + j) & 0xFF;
                        block += ((packed & 0x0F) - 8) * x[xi + j] + ((packed >>> 4) - 8) * x[xi + j + QK / 2];
                    }
                    sum += block * Float.float16ToFloat(data.get(I16, at));
                }
            }
            default -> throw noKernels(type);
        }
        return sum;
    }

    /** Encodes {@code values} as {@code type}, rounding or quantizing as ggml's reference quantizers do. */
    public static byte[] quantize(GgmlType type, float[] values) {
        if (values.length % type.blockSize() != 0) {
            throw new IllegalArgumentException(values.length + " values are not a whole number of " + type + " blocks of " + type.blockSize());
        }
        byte[] bytes = new byte[Math.toIntExact(type.bytesFor(values.length))];
        MemorySegment out = MemorySegment.ofArray(bytes);
        switch (type) {
            case F32 -> MemorySegment.copy(values, 0, out, F32, 0, values.length);
            case F16 -> {
                for (int i = 0; i < values.length; i++) out.set(I16, i * 2L, Float.floatToFloat16(values[i]));
            }
            case BF16 -> {
                for (int i = 0; i < values.length; i++) out.set(I16, i * 2L, floatToBf16(values[i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < values.length / QK; b++) quantizeQ8Block(values, b * QK, out, (long) b * type.blockBytes());
            }
            case Q4_0 -> {
                for (int b = 0; b < values.length / QK; b++) quantizeQ4Block(values, b * QK, out, (long) b * type.blockBytes());
            }
            default -> throw noKernels(type);
        }
        return bytes;
    }

    private static void quantizeQ8Block(float[] x, int from, MemorySegment out, long at) {
        float amax = 0f;
        for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16, at, Float.floatToFloat16(d));
        for (int j = 0; j < QK; j++) out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAway(x[from + j] * id));
    }

    private static void quantizeQ4Block(float[] x, int from, MemorySegment out, long at) {
        // the scale takes the sign of the element of largest magnitude so that it maps to -8 exactly
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < QK; j++) {
            if (amax < Math.abs(x[from + j])) {
                amax = Math.abs(x[from + j]);
                max = x[from + j];
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        out.set(I16, at, Float.floatToFloat16(d));
        for (int j = 0; j < QK / 2; j++) {
            int lo = Math.min(15, (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + j + QK / 2] * id + 8.5f));
            out.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | hi << 4));
        }
    }

    private static int roundHalfAway(float v) {
        return v >= 0 ? (int) (v + 0.5f) : -(int) (-v + 0.5f);
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    static short floatToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        // round to nearest even on the dropped 16 bits, as ggml does
        return (short) ((bits + (0x7FFF + ((bits >>> 16) & 1))) >>> 16);
    }

    private static GgufFormatException noKernels(GgmlType type) {
        return new GgufFormatException("tensor type " + type + " has no kernels here (supported: F32, F16, BF16, Q8_0, Q4_0)");
    }
}
