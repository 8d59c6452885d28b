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
 *   <li>Q4_K: super-blocks of 256 elements (144 bytes): F16 {@code d}, F16 {@code dmin}, 12 bytes packing eight
 *       6-bit scales and eight 6-bit mins, then 128 bytes of nibbles; each 64 elements take 32 bytes, the low
 *       nibbles giving the first 32 (sub-block 2i) and the high nibbles the next 32 (sub-block 2i + 1);
 *       x = d * scale[sub] * nibble - dmin * min[sub].</li>
 *   <li>Q6_K: super-blocks of 256 elements (210 bytes): 128 bytes of low nibbles {@code ql}, 64 bytes of high
 *       2-bit pairs {@code qh}, 16 int8 scales (one per 16 elements), F16 {@code d}; x = d * scale * (q - 32) with
 *       q a 6-bit value; each half of 128 elements uses 64 bytes of ql and 32 of qh.</li>
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
            case Q4_K -> {
                for (int b = 0; b < count / QK_K; b++) dequantizeQ4K(data, (first / QK_K + b) * type.blockBytes(), dst, dstOffset + b * QK_K);
            }
            case Q6_K -> {
                for (int b = 0; b < count / QK_K; b++) dequantizeQ6K(data, (first / QK_K + b) * type.blockBytes(), dst, dstOffset + b * QK_K);
            }
            default -> throw noKernels(type);
        }
    }

    private static final int QK_K = 256;

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    /** One Q4_K super-block at byte {@code at} into {@code dst[o..o + 256)}. */
    private static void dequantizeQ4K(MemorySegment data, long at, float[] dst, int o) {
        float d = Float.float16ToFloat(data.get(I16, at));
        float dmin = Float.float16ToFloat(data.get(I16, at + 2));
        long scales = at + 4;
        long qs = at + 16;
        for (int sub = 0; sub < 8; sub += 2) {
            float d1 = d * q4kScale(data, scales, sub);
            float m1 = dmin * q4kMin(data, scales, sub);
            float d2 = d * q4kScale(data, scales, sub + 1);
            float m2 = dmin * q4kMin(data, scales, sub + 1);
            long q = qs + sub / 2 * 32L;
            int out = o + sub * 32;
            for (int l = 0; l < 32; l++) dst[out + l] = d1 * (u8(data, q + l) & 0x0F) - m1;
            for (int l = 0; l < 32; l++) dst[out + 32 + l] = d2 * (u8(data, q + l) >>> 4) - m2;
        }
    }

    /** Sub-block j's 6-bit scale: j < 4 in the low 6 bits of byte j; else a low nibble of byte j + 4 and two top bits of byte j - 4. */
    private static int q4kScale(MemorySegment data, long scales, int j) {
        if (j < 4) return u8(data, scales + j) & 63;
        return (u8(data, scales + j + 4) & 0x0F) | ((u8(data, scales + j - 4) >>> 6) << 4);
    }

    private static int q4kMin(MemorySegment data, long scales, int j) {
        if (j < 4) return u8(data, scales + j + 4) & 63;
        return (u8(data, scales + j + 4) >>> 4) | ((u8(data, scales + j) >>> 6) << 4);
    }

    /** One Q6_K super-block at byte {@code at} into {@code dst[o..o + 256)}. */
    private static void dequantizeQ6K(MemorySegment data, long at, float[] dst, int o) {
        float d = Float.float16ToFloat(data.get(I16, at + 208));
        for (int half = 0; half < 2; half++) {
            long ql = at + half * 64L;
            long qh = at + 128 + half * 32L;
            long sc = at + 192 + half * 8L;
            int out = o + half * 128;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(data, qh + l);
                int q1 = ((u8(data, ql + l) & 0x0F) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(data, ql + l + 32) & 0x0F) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((u8(data, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((u8(data, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                dst[out + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                dst[out + l + 32] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                dst[out + l + 64] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                dst[out + l + 96] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
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
            case Q4_K, Q6_K -> {
                float[] block = new float[QK_K];
                for (int b = 0; b < count / QK_K; b++) {
                    dequantize(type, data, first + (long) b * QK_K, block, 0, QK_K);
                    for (int j = 0; j < QK_K; j++) sum += block[j] * x[xOffset + b * QK_K + j];
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
            default -> throw new GgufFormatException("tensor type " + type + " cannot be written here (quantizers: F32, F16, BF16, Q8_0, Q4_0)");
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
        return new GgufFormatException("tensor type " + type + " has no kernels here (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
    }
}
