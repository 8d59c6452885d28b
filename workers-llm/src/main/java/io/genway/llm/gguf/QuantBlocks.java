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
 * Element ranges passed here start and end on block boundaries. Plain loops: the engine's kernels ({@code Kernels})
 * decode blocks themselves; these serve the writer, tests and any type without kernels.
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
            case Q4_K -> {
                for (int b = 0; b < values.length / QK_K; b++) quantizeQ4KBlock(values, b * QK_K, out, (long) b * type.blockBytes());
            }
            case Q6_K -> {
                for (int b = 0; b < values.length / QK_K; b++) quantizeQ6KBlock(values, b * QK_K, out, (long) b * type.blockBytes());
            }
            default -> throw new GgufFormatException("tensor type " + type + " cannot be written here (quantizers: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
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

    /*
     * The K-quant quantizers (written here, not taken from ggml): each sub-block's scale (and Q4_K's minimum) is
     * chosen by a small search that refits it by least squares to the integers it rounds to, then the sub-block
     * scales are themselves quantized to 6 (Q4_K) or 8 (Q6_K) bits against one F16 super-block scale, and the
     * elements are rounded again against the scales as stored. KQuantsTest holds their error to what llama.cpp's
     * reference quantizer gets on the same data.
     */

    /** One Q4_K super-block of {@code x[from..from + 256)} at byte {@code at}; see the class comment for the layout. */
    private static void quantizeQ4KBlock(float[] x, int from, MemorySegment out, long at) {
        float[] scale = new float[8];
        float[] min = new float[8]; // positive: x = scale * q - min
        for (int j = 0; j < 8; j++) {
            float[] fit = fitAffine(x, from + 32 * j, 32, 15);
            scale[j] = fit[0];
            min[j] = fit[1];
        }
        float maxScale = 0f;
        float maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            maxScale = Math.max(maxScale, scale[j]);
            maxMin = Math.max(maxMin, min[j]);
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(maxScale / 63f));
        float dmin = Float.float16ToFloat(Float.floatToFloat16(maxMin / 63f));
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = d > 0f ? Math.min(63, Math.round(scale[j] / d)) : 0;
            lm[j] = dmin > 0f ? Math.min(63, Math.round(min[j] / dmin)) : 0;
        }
        out.set(I16, at, Float.floatToFloat16(d));
        out.set(I16, at + 2, Float.floatToFloat16(dmin));
        byte[] packedScales = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                packedScales[j] |= (byte) ls[j];
                packedScales[j + 4] |= (byte) lm[j];
            } else {
                packedScales[j + 4] = (byte) ((ls[j] & 0x0F) | (lm[j] & 0x0F) << 4);
                packedScales[j - 4] |= (byte) ((ls[j] >>> 4) << 6);
                packedScales[j] |= (byte) ((lm[j] >>> 4) << 6);
            }
        }
        MemorySegment.copy(packedScales, 0, out, ValueLayout.JAVA_BYTE, at + 4, 12);
        int[] q = new int[QK_K];
        for (int j = 0; j < 8; j++) {
            float sd = d * ls[j];
            float sm = dmin * lm[j];
            for (int l = 0; l < 32; l++) q[32 * j + l] = sd > 0f ? clamp(Math.round((x[from + 32 * j + l] + sm) / sd), 0, 15) : 0;
        }
        // 32 bytes per 64 elements: element l in the low nibble of byte l, element l + 32 in its high nibble
        for (int i = 0; i < 4; i++) {
            for (int l = 0; l < 32; l++) out.set(ValueLayout.JAVA_BYTE, at + 16 + 32L * i + l, (byte) (q[64 * i + l] | q[64 * i + 32 + l] << 4));
        }
    }

    /** One Q6_K super-block of {@code x[from..from + 256)} at byte {@code at}; see the class comment for the layout. */
    private static void quantizeQ6KBlock(float[] x, int from, MemorySegment out, long at) {
        float[] scale = new float[16];
        float maxScale = 0f; // signed: the scale of largest magnitude maps to -128
        for (int j = 0; j < 16; j++) {
            scale[j] = fitSymmetric(x, from + 16 * j, 16, 32);
            if (Math.abs(scale[j]) > Math.abs(maxScale)) maxScale = scale[j];
        }
        float d = Float.float16ToFloat(Float.floatToFloat16(maxScale / -128f));
        int[] ls = new int[16];
        for (int j = 0; j < 16; j++) ls[j] = d != 0f ? clamp(Math.round(scale[j] / d), -128, 127) : 0;
        int[] q = new int[QK_K]; // stored values 0..63, x = d * ls * (q - 32)
        for (int j = 0; j < 16; j++) {
            float sd = d * ls[j];
            for (int l = 0; l < 16; l++) q[16 * j + l] = (sd != 0f ? clamp(Math.round(x[from + 16 * j + l] / sd), -32, 31) : 0) + 32;
        }
        for (int half = 0; half < 2; half++) {
            long ql = at + half * 64L;
            long qh = at + 128 + half * 32L;
            int o = half * 128;
            for (int l = 0; l < 32; l++) {
                int q1 = q[o + l];
                int q2 = q[o + l + 32];
                int q3 = q[o + l + 64];
                int q4 = q[o + l + 96];
                out.set(ValueLayout.JAVA_BYTE, ql + l, (byte) ((q1 & 0x0F) | (q3 & 0x0F) << 4));
                out.set(ValueLayout.JAVA_BYTE, ql + 32 + l, (byte) ((q2 & 0x0F) | (q4 & 0x0F) << 4));
                out.set(ValueLayout.JAVA_BYTE, qh + l, (byte) ((q1 >>> 4) | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6));
            }
        }
        for (int j = 0; j < 16; j++) out.set(ValueLayout.JAVA_BYTE, at + 192 + j, (byte) ls[j]);
        out.set(I16, at + 208, Float.floatToFloat16(d));
    }

    /**
     * {scale, min} with {@code x ≈ scale * q - min}, {@code q} in [0, levels], {@code min >= 0}: starting from the
     * range, several trial scales are rounded to and refitted by least squares; the least squared error wins.
     */
    private static float[] fitAffine(float[] x, int from, int n, int levels) {
        float lo = 0f;
        float hi = 0f;
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, x[from + i]);
            hi = Math.max(hi, x[from + i]);
        }
        if (hi == lo) return new float[] {0f, -lo};
        float bestScale = (hi - lo) / levels;
        float bestMin = -lo;
        double bestErr = affineError(x, from, n, levels, bestScale, bestMin);
        for (int step = -8; step <= 8; step++) {
            float inverse = (levels + 0.1f * step) / (hi - lo);
            // least squares of x = a * q + b over the integers this trial scale rounds to
            double sq = 0, sqq = 0, sx = 0, sxq = 0;
            for (int i = 0; i < n; i++) {
                int q = clamp(Math.round((x[from + i] - lo) * inverse), 0, levels);
                sq += q;
                sqq += (double) q * q;
                sx += x[from + i];
                sxq += (double) x[from + i] * q;
            }
            double det = n * sqq - sq * sq;
            if (det <= 0) continue;
            double a = (n * sxq - sq * sx) / det;
            double b = (sqq * sx - sq * sxq) / det;
            if (a <= 0) continue;
            if (b > 0) { // the minimum must not be positive: refit the scale alone with b = 0
                a = sxq / sqq;
                b = 0;
            }
            double err = affineError(x, from, n, levels, (float) a, (float) -b);
            if (err < bestErr) {
                bestErr = err;
                bestScale = (float) a;
                bestMin = (float) -b;
            }
        }
        return new float[] {bestScale, bestMin};
    }

    private static double affineError(float[] x, int from, int n, int levels, float scale, float min) {
        double err = 0;
        for (int i = 0; i < n; i++) {
            int q = clamp(Math.round((x[from + i] + min) / scale), 0, levels);
            double e = scale * q - min - x[from + i];
            err += e * e;
        }
        return err;
    }

    /**
     * A scale with {@code x ≈ scale * q}, {@code q} in [-half, half - 1]: trial scales around the one that maps the
     * element of largest magnitude to {@code -half}, each refitted by least squares; the least squared error wins.
     */
    private static float fitSymmetric(float[] x, int from, int n, int half) {
        float max = 0f;
        for (int i = 0; i < n; i++) if (Math.abs(x[from + i]) > Math.abs(max)) max = x[from + i];
        if (max == 0f) return 0f;
        float best = max / -half;
        double bestErr = symmetricError(x, from, n, half, best);
        for (int step = -9; step <= 9; step++) {
            float inverse = -(half + 0.1f * step) / max;
            double sxq = 0, sqq = 0;
            for (int i = 0; i < n; i++) {
                int q = clamp(Math.round(x[from + i] * inverse), -half, half - 1);
                sxq += (double) x[from + i] * q;
                sqq += (double) q * q;
            }
            if (sqq == 0) continue;
            float scale = (float) (sxq / sqq);
            double err = symmetricError(x, from, n, half, scale);
            if (err < bestErr) {
                bestErr = err;
                best = scale;
            }
        }
        return best;
    }

    private static double symmetricError(float[] x, int from, int n, int half, float scale) {
        double err = 0;
        for (int i = 0; i < n; i++) {
            int q = clamp(Math.round(x[from + i] / scale), -half, half - 1);
            double e = scale * q - x[from + i];
            err += e * e;
        }
        return err;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
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
