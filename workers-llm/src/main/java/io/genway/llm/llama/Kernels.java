package io.genway.llm.llama;

import io.genway.llm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products for a batch: {@code out[s] = W · x[s]} for every sequence row {@code s}, each weight row read
 * from memory once per step and dotted with all rows while it sits in cache.
 *
 * <p>Float weights (F32, F16, BF16) are widened into a per-thread float buffer (exactly) and dotted with the float
 * activations; so are Q8_0 and Q4_0 weights under {@link Activations#F32} (the engine's default: each widened row
 * serves every sequence of the step with plain float multiply-adds, the most aggregate throughput). Under
 * {@link Activations#Q8}, and always for K-quants, quantized weights take the integer path, as llama.cpp does: the
 * activation rows are first quantized to 8 bits in blocks of 32 ({@link Q8}: x ≈ d * q, |q| <= 127, one float
 * {@code d} per block, once per product for all its rows); each weight row is decoded once into 16-bit integers
 * with a float scale per block (and, for Q4_K, a float offset per block), then dotted with every activation row in
 * 16-bit products summed exactly in 32-bit integers, each block's integer sum scaled by the two block scales into
 * a float accumulator. Rounding the activations to 8 bits moves the products by about 0.5% of their typical size
 * (relative RMS over Gaussian activations and weights, for all four types; KernelsTest measures it, against
 * products with the F32 activations); the products of the rounded values themselves are exact up to float rounding
 * of the per-block terms (within 1e-5 of the sum of |terms|, KernelsTest).
 *
 * <p>Every dot product is summed the same way whatever the batch, the row split, the tile or the JIT tier (fixed
 * 8-lane vectors, one accumulator, blocks in column order, lanes added in order, no reduction of unspecified
 * order), so a sequence's numbers do not depend on which other sequences share its step.
 */
final class Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int L = 8;
    private static final int QK = 32;
    private static final int QK_K = 256;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Multiply-adds below which a product is not worth splitting over the team. */
    static final long PARALLEL_WORK = 1 << 17;
    /** Multiply-adds per item handed to a team member. */
    private static final long ITEM_WORK = 1 << 16;

    /** Per thread: one weight row decoded to integers (the team's threads are fixed, so these stay few). */
    private static final ThreadLocal<Decoded> DECODED = ThreadLocal.withInitial(() -> new Decoded(0));

    private Kernels() {
    }

    /**
     * {@code outs[m][s * rows_m + r] = ws[m] row r · x[s * cols ..]} for {@code s < n}: several matrices of the
     * same input width (q, k, v; gate, up) in one team section.
     *
     * @param scratch per team member, at least {@code 4 * cols} floats (the float path's four widened rows)
     */
    static void matmul(Team team, Matrix[] ws, float[] x, int n, float[][] outs, float[][] scratch) {
        matmul(team, ws, x, n, outs, scratch, Activations.Q8);
    }

    /**
     * As above, with quantized weights taken the {@code activations} way: {@link Activations#Q8} rounds the
     * activations to 8 bits for every quantized type; {@link Activations#F32} widens Q8_0 and Q4_0 weights to floats
     * instead (K-quants always take the integer path).
     */
    static void matmul(Team team, Matrix[] ws, float[] x, int n, float[][] outs, float[][] scratch, Activations activations) {
        int cols = ws[0].cols();
        int rowsPerItem = (int) Math.max(4, Math.min(128, ITEM_WORK / ((long) cols * n))) & ~3; // whole 4-row tiles
        int[] firstItem = new int[ws.length + 1];
        long work = 0;
        boolean integer = false;
        for (int m = 0; m < ws.length; m++) {
            if (ws[m].cols() != cols) throw new IllegalArgumentException("matrix " + ws[m].name() + " has " + ws[m].cols() + " columns, not " + cols);
            firstItem[m + 1] = firstItem[m] + (ws[m].rows() + rowsPerItem - 1) / rowsPerItem;
            work += (long) ws[m].rows() * cols * n;
            integer |= isInteger(ws[m].type(), activations);
        }
        Q8 qx = integer ? Q8.of(x, n, cols) : null;
        team.run(firstItem[ws.length], work >= PARALLEL_WORK, (member, item) -> {
            int m = 0;
            while (item >= firstItem[m + 1]) m++;
            int from = (item - firstItem[m]) * rowsPerItem;
            int to = Math.min(ws[m].rows(), from + rowsPerItem);
            if (isInteger(ws[m].type(), activations)) integerRows(ws[m], from, to, qx, n, outs[m]);
            else rows(ws[m], from, to, x, n, outs[m], scratch[member]);
        });
    }

    static void matmul(Team team, Matrix w, float[] x, int n, float[] out, float[][] scratch) {
        matmul(team, new Matrix[] {w}, x, n, new float[][] {out}, scratch);
    }

    static void matmul(Team team, Matrix w, float[] x, int n, float[] out, float[][] scratch, Activations activations) {
        matmul(team, new Matrix[] {w}, x, n, new float[][] {out}, scratch, activations);
    }

    /** Whether weights of {@code type} take the integer path (8-bit activations) by default ({@link Activations#Q8}). */
    static boolean isInteger(GgmlType type) {
        return isInteger(type, Activations.Q8);
    }

    /** Whether weights of {@code type} take the integer path when products are made the {@code activations} way. */
    static boolean isInteger(GgmlType type, Activations activations) {
        return switch (type) {
            case Q8_0, Q4_0 -> activations == Activations.Q8;
            case Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Activation rows quantized to 8 bits: row {@code s}, element {@code i} is {@code d[s * cols / 32 + i / 32] *
     * q[s * cols + i]} with {@code |q| <= 127} (held as shorts, ready for 16-bit products); {@code sum} is each
     * block's {@code d * Σq}, for the offsets of Q4_K.
     */
    record Q8(short[] q, float[] d, float[] sum, int cols) {
        /** Each block of 32 scaled so that its largest magnitude becomes 127, rounded to nearest. */
        static Q8 of(float[] x, int n, int cols) {
            if (cols % QK != 0) throw new IllegalArgumentException("row length " + cols + " is not a whole number of blocks of " + QK);
            int blocks = n * cols / QK;
            short[] q = new short[n * cols];
            float[] d = new float[blocks];
            float[] sum = new float[blocks];
            for (int b = 0; b < blocks; b++) {
                int o = b * QK;
                FloatVector v = FloatVector.fromArray(F, x, o).abs();
                for (int k = L; k < QK; k += L) v = v.max(FloatVector.fromArray(F, x, o + k).abs());
                float amax = v.reduceLanes(VectorOperators.MAX); // max is exact, so any order gives the same value
                float scale = amax / 127f;
                float inverse = scale != 0f ? 1f / scale : 0f;
                int total = 0;
                for (int k = 0; k < QK; k++) {
                    int v8 = Math.round(x[o + k] * inverse);
                    q[o + k] = (short) v8;
                    total += v8;
                }
                d[b] = scale;
                sum[b] = scale * total;
            }
            return new Q8(q, d, sum, cols);
        }

        /** The quantized values as floats (tests). */
        float[] toFloats() {
            float[] v = new float[q.length];
            for (int i = 0; i < v.length; i++) v[i] = d[i / QK] * q[i];
            return v;
        }
    }

    /**
     * One weight row decoded for the integer path: 16-bit values {@code q}, a float {@code scale} per block of 16
     * (Q6_K) or 32 (the others) and, for Q4_K, a float {@code offset} per block of 32: element i is
     * {@code scale * q[i] - offset}.
     */
    private static final class Decoded {
        short[] q;
        float[] scale;
        float[] offset;

        Decoded(int cols) {
            q = new short[cols];
            scale = new float[cols / 16];
            offset = new float[cols / QK];
        }

        static Decoded forThread(int cols) {
            Decoded d = DECODED.get();
            if (d.q.length < cols) {
                d = new Decoded(cols);
                DECODED.set(d);
            }
            return d;
        }
    }

    /** Rows [from, to) of a quantized {@code w} times every quantized activation row; see {@link Kernels}. */
    static void integerRows(Matrix w, int from, int to, Q8 x, int n, float[] out) {
        int cols = w.cols();
        int rows = w.rows();
        Decoded dec = Decoded.forThread(cols);
        boolean sixteen = w.type() == GgmlType.Q6_K;
        boolean offsets = w.type() == GgmlType.Q4_K;
        GgmlType type = w.type();
        if (n < 4 && (type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q4_K)) {
            // few sequences: decode in registers per sequence (the same integers and the same operations, so the
            // same bits as through the decoded row), saving the row's store and reload
            MemorySegment data = w.data();
            for (int r = from; r < to; r++) {
                long at = r * w.rowBytes();
                for (int s = 0; s < n; s++) {
                    out[s * rows + r] = switch (type) {
                        case Q8_0 -> fusedQ8_0(data, at, x, s * cols, cols);
                        case Q4_0 -> fusedQ4_0(data, at, x, s * cols, cols);
                        default -> fusedQ4K(data, at, x, s * cols, cols, dec);
                    };
                }
            }
            return;
        }
        for (int r = from; r < to; r++) {
            decode(w, r, dec);
            int s = 0;
            if (sixteen) {
                for (; s + 4 <= n; s += 4) dot16x4(dec, x, s, cols, out, s * rows + r, rows);
                for (; s < n; s++) out[s * rows + r] = dot16(dec, x, s * cols, cols);
            } else {
                for (; s + 4 <= n; s += 4) dot32x4(dec, x, s, cols, offsets, out, s * rows + r, rows);
                for (; s < n; s++) out[s * rows + r] = dot32(dec, x, s * cols, cols, offsets);
            }
        }
    }

    /*
     * The methods below spell their vector operations out instead of sharing small helpers: each Vector API call
     * is itself several calls deep, and past C2's inlining depth an operation silently falls back to boxed Java
     * code, many times slower.
     */

    /** Row {@code r} of a quantized {@code w} into {@code dec}. */
    private static void decode(Matrix w, int r, Decoded dec) {
        long at = r * w.rowBytes();
        switch (w.type()) {
            case Q8_0 -> decodeQ8_0(w.data(), at, w.cols(), dec);
            case Q4_0 -> decodeQ4_0(w.data(), at, w.cols(), dec);
            case Q4_K -> decodeQ4K(w.data(), at, w.cols(), dec);
            case Q6_K -> decodeQ6K(w.data(), at, w.cols(), dec);
            default -> throw new IllegalArgumentException("matrix " + w.name() + ": type " + w.type() + " has no integer kernel");
        }
    }

    private static void decodeQ8_0(MemorySegment data, long at, int cols, Decoded dec) {
        short[] q = dec.q;
        for (int b = 0; b < cols / QK; b++, at += 34) {
            dec.scale[b] = Float.float16ToFloat(data.get(I16, at));
            ByteVector lo = ByteVector.fromMemorySegment(B16, data, at + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector hi = ByteVector.fromMemorySegment(B16, data, at + 18, ByteOrder.LITTLE_ENDIAN);
            ((ShortVector) lo.convertShape(VectorOperators.B2S, S, 0)).intoArray(q, b * QK);
            ((ShortVector) hi.convertShape(VectorOperators.B2S, S, 0)).intoArray(q, b * QK + 16);
        }
    }

    private static void decodeQ4_0(MemorySegment data, long at, int cols, Decoded dec) {
        short[] q = dec.q;
        for (int b = 0; b < cols / QK; b++, at += 18) {
            dec.scale[b] = Float.float16ToFloat(data.get(I16, at));
            // byte j holds element j (low nibble) and element j + 16 (high nibble)
            // (nibbles split after widening: x86 has no byte shifts)
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, S, 0);
            packed.and((short) 0x0F).sub((short) 8).intoArray(q, b * QK);
            packed.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8).intoArray(q, b * QK + 16);
        }
    }

    private static void decodeQ4K(MemorySegment data, long at, int cols, Decoded dec) {
        short[] q = dec.q;
        for (int sb = 0; sb < cols / QK_K; sb++, at += 144) {
            float d = Float.float16ToFloat(data.get(I16, at));
            float dmin = Float.float16ToFloat(data.get(I16, at + 2));
            // the 12 bytes of packed 6-bit scales and minimums, read as two words
            long lo = data.get(I64, at + 4);
            long hi = data.get(I32, at + 12) & 0xFFFFFFFFL;
            for (int j = 0; j < 4; j++) {
                int sj = (int) (lo >>> 8 * j) & 0xFF;        // byte j: scale j, top bits of scale j + 4
                int mj = (int) (lo >>> 8 * (j + 4)) & 0xFF;  // byte j + 4: minimum j, top bits of minimum j + 4
                int both = (int) (hi >>> 8 * j) & 0xFF;      // byte j + 8: low nibbles of scale and minimum j + 4
                dec.scale[sb * 8 + j] = d * (sj & 63);
                dec.offset[sb * 8 + j] = dmin * (mj & 63);
                dec.scale[sb * 8 + j + 4] = d * ((both & 0x0F) | (sj >>> 6) << 4);
                dec.offset[sb * 8 + j + 4] = dmin * ((both >>> 4) | (mj >>> 6) << 4);
            }
            // each 32 bytes: the low nibbles are sub-block 2i, the high nibbles sub-block 2i + 1
            for (int k = 0; k < 8; k++) {
                ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 16 + 16L * k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S, 0);
                int o = sb * QK_K + (k >> 1) * 64 + (k & 1) * 16;
                packed.and((short) 0x0F).intoArray(q, o);
                packed.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).intoArray(q, o + 32);
            }
        }
    }

    private static void decodeQ6K(MemorySegment data, long at, int cols, Decoded dec) {
        short[] q = dec.q;
        for (int sb = 0; sb < cols / QK_K; sb++, at += 210) {
            float d = Float.float16ToFloat(data.get(I16, at + 208));
            long lo = data.get(I64, at + 192); // the 16 int8 scales, read as two words
            long hi = data.get(I64, at + 200);
            for (int j = 0; j < 8; j++) {
                dec.scale[sb * 16 + j] = d * (byte) (lo >>> 8 * j);
                dec.scale[sb * 16 + j + 8] = d * (byte) (hi >>> 8 * j);
            }
            // per half of 128: element l (of 32) of quarter k takes 4 bits of ql and 2 bits of qh[l]
            for (int part = 0; part < 4; part++) {
                int half = part >> 1;
                int c = (part & 1) * 16;
                long ql = at + half * 64L + c;
                // (bits split after widening: x86 has no byte shifts)
                ShortVector lowA = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S, 0);
                ShortVector lowB = (ShortVector) ByteVector.fromMemorySegment(B16, data, ql + 32, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S, 0);
                ShortVector high = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 128 + half * 32L + c, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S, 0);
                int o = sb * QK_K + half * 128 + c;
                lowA.and((short) 0x0F).or(high.and((short) 3).lanewise(VectorOperators.LSHL, 4)).sub((short) 32).intoArray(q, o);
                lowB.and((short) 0x0F).or(high.and((short) 0x0C).lanewise(VectorOperators.LSHL, 2)).sub((short) 32).intoArray(q, o + 32);
                lowA.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).or(high.and((short) 0x30)).sub((short) 32).intoArray(q, o + 64);
                lowB.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).or(high.lanewise(VectorOperators.ASHR, 2).and((short) 0x30)).sub((short) 32).intoArray(q, o + 96);
            }
        }
    }

    /*
     * The integer dot products: per block, 16-bit products of weight and activation (at most 128 * 127 each, and two
     * of them added stay below 2^15), adjacent pairs added into 8 int lanes, converted to float and multiplied-added
     * with the product of the two block scales into one 8-lane accumulator; then its lanes in order, then (Q4_K)
     * the offsets' sum subtracted. The 4-sequence tiles run exactly these operations for each sequence.
     */

    /** Q8_0 row at byte {@code at} · activation row starting at {@code xo}: {@link #dot32} without the decoded row. */
    private static float fusedQ8_0(MemorySegment data, long at, Q8 x, int xo, int cols) {
        short[] xq = x.q;
        int xb = xo / QK;
        FloatVector acc = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / QK; b++, at += 34) {
            int i = xo + b * QK;
            float ws = Float.float16ToFloat(data.get(I16, at));
            ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 2, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
            ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 18, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
            v = w0.mul(ShortVector.fromArray(S, xq, i)).add(w1.mul(ShortVector.fromArray(S, xq, i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[xb + b]), acc);
        }
        return lanes(acc);
    }

    /** Q4_0 row at byte {@code at} · activation row starting at {@code xo}: {@link #dot32} without the decoded row. */
    private static float fusedQ4_0(MemorySegment data, long at, Q8 x, int xo, int cols) {
        short[] xq = x.q;
        int xb = xo / QK;
        FloatVector acc = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / QK; b++, at += 18) {
            int i = xo + b * QK;
            float ws = Float.float16ToFloat(data.get(I16, at));
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 2, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
            ShortVector w0 = packed.and((short) 0x0F).sub((short) 8);
            ShortVector w1 = packed.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8);
            v = w0.mul(ShortVector.fromArray(S, xq, i)).add(w1.mul(ShortVector.fromArray(S, xq, i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[xb + b]), acc);
        }
        return lanes(acc);
    }

    /**
     * Q4_K row at byte {@code at} · activation row starting at {@code xo}: {@link #dot32} with offsets, without the
     * decoded row ({@code dec} only holds one super-block's scales; its offsets' sum in {@link #offsetSum}'s order).
     */
    private static float fusedQ4K(MemorySegment data, long at, Q8 x, int xo, int cols, Decoded dec) {
        short[] xq = x.q;
        int xb = xo / QK;
        float[] scale = dec.scale;
        float[] offset = dec.offset;
        FloatVector acc = FloatVector.zero(F);
        FloatVector offsets = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int sb = 0; sb < cols / QK_K; sb++, at += 144) {
            float d = Float.float16ToFloat(data.get(I16, at));
            float dmin = Float.float16ToFloat(data.get(I16, at + 2));
            long lo = data.get(I64, at + 4);
            long hi = data.get(I32, at + 12) & 0xFFFFFFFFL;
            for (int j = 0; j < 4; j++) { // as decodeQ4K
                int sj = (int) (lo >>> 8 * j) & 0xFF;
                int mj = (int) (lo >>> 8 * (j + 4)) & 0xFF;
                int both = (int) (hi >>> 8 * j) & 0xFF;
                scale[j] = d * (sj & 63);
                offset[j] = dmin * (mj & 63);
                scale[j + 4] = d * ((both & 0x0F) | (sj >>> 6) << 4);
                offset[j + 4] = dmin * ((both >>> 4) | (mj >>> 6) << 4);
            }
            int b = xb + sb * 8;
            for (int i = 0; i < 4; i++) {
                int e = xo + sb * QK_K + 64 * i;
                ShortVector p0 = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 16 + 32L * i, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
                ShortVector p1 = (ShortVector) ByteVector.fromMemorySegment(B16, data, at + 32 + 32L * i, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
                v = p0.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, e)).add(p1.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, e + 16))).reinterpretAsInts();
                p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
                acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale[2 * i] * x.d[b + 2 * i]), acc);
                v = p0.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, e + 32))
                        .add(p1.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, e + 48))).reinterpretAsInts();
                p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
                acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale[2 * i + 1] * x.d[b + 2 * i + 1]), acc);
            }
            offsets = FloatVector.fromArray(F, offset, 0).fma(FloatVector.fromArray(F, x.sum, b), offsets);
        }
        return lanes(acc) - lanes(offsets);
    }

    /** Decoded row (blocks of 32) · activation row starting at {@code xo}. */
    private static float dot32(Decoded w, Q8 x, int xo, int cols, boolean offsets) {
        short[] wq = w.q;
        short[] xq = x.q;
        int xb = xo / QK;
        FloatVector acc = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / QK; b++) {
            int i = b * QK;
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, xo + i))
                    .add(ShortVector.fromArray(S, wq, i + 16).mul(ShortVector.fromArray(S, xq, xo + i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, w.scale[b] * x.d[xb + b]), acc);
        }
        float sum = lanes(acc);
        return offsets ? sum - offsetSum(w, x, xb, cols) : sum;
    }

    /** Decoded row (blocks of 32) · four activation rows from row {@code s}; row k's result at out[o + k * stride]. */
    private static void dot32x4(Decoded w, Q8 x, int s, int cols, boolean offsets, float[] out, int o, int stride) {
        short[] wq = w.q;
        short[] xq = x.q;
        int x0 = s * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int b0 = x0 / QK;
        int b1 = x1 / QK;
        int b2 = x2 / QK;
        int b3 = x3 / QK;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / QK; b++) {
            int i = b * QK;
            float ws = w.scale[b];
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x0 + i))
                    .add(ShortVector.fromArray(S, wq, i + 16).mul(ShortVector.fromArray(S, xq, x0 + i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a0 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b0 + b]), a0);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x1 + i))
                    .add(ShortVector.fromArray(S, wq, i + 16).mul(ShortVector.fromArray(S, xq, x1 + i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a1 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b1 + b]), a1);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x2 + i))
                    .add(ShortVector.fromArray(S, wq, i + 16).mul(ShortVector.fromArray(S, xq, x2 + i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a2 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b2 + b]), a2);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x3 + i))
                    .add(ShortVector.fromArray(S, wq, i + 16).mul(ShortVector.fromArray(S, xq, x3 + i + 16))).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a3 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b3 + b]), a3);
        }
        out[o] = offsets ? lanes(a0) - offsetSum(w, x, b0, cols) : lanes(a0);
        out[o + stride] = offsets ? lanes(a1) - offsetSum(w, x, b1, cols) : lanes(a1);
        out[o + 2 * stride] = offsets ? lanes(a2) - offsetSum(w, x, b2, cols) : lanes(a2);
        out[o + 3 * stride] = offsets ? lanes(a3) - offsetSum(w, x, b3, cols) : lanes(a3);
    }

    /** Decoded Q6_K row (blocks of 16) · activation row starting at {@code xo}. */
    private static float dot16(Decoded w, Q8 x, int xo, int cols) {
        short[] wq = w.q;
        short[] xq = x.q;
        int xb = xo / QK;
        FloatVector acc = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / 16; b++) {
            int i = b * 16;
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, xo + i)).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            acc = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, w.scale[b] * x.d[xb + b / 2]), acc);
        }
        return lanes(acc);
    }

    /** Decoded Q6_K row (blocks of 16) · four activation rows, as {@link #dot32x4}. */
    private static void dot16x4(Decoded w, Q8 x, int s, int cols, float[] out, int o, int stride) {
        short[] wq = w.q;
        short[] xq = x.q;
        int x0 = s * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int b0 = x0 / QK;
        int b1 = x1 / QK;
        int b2 = x2 / QK;
        int b3 = x3 / QK;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        IntVector v;
        IntVector p;
        for (int b = 0; b < cols / 16; b++) {
            int i = b * 16;
            float ws = w.scale[b];
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x0 + i)).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a0 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b0 + b / 2]), a0);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x1 + i)).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a1 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b1 + b / 2]), a1);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x2 + i)).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a2 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b2 + b / 2]), a2);
            v = ShortVector.fromArray(S, wq, i).mul(ShortVector.fromArray(S, xq, x3 + i)).reinterpretAsInts();
            p = v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
            a3 = ((FloatVector) p.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, ws * x.d[b3 + b / 2]), a3);
        }
        out[o] = lanes(a0);
        out[o + stride] = lanes(a1);
        out[o + 2 * stride] = lanes(a2);
        out[o + 3 * stride] = lanes(a3);
    }

    /** Σ offset[b] * (d * Σq)[b] over the row's blocks, in a fixed order (Q4_K's minimums). */
    private static float offsetSum(Decoded w, Q8 x, int xb, int cols) {
        int blocks = cols / QK;
        FloatVector acc = FloatVector.zero(F);
        int b = 0;
        for (; b + L <= blocks; b += L) acc = FloatVector.fromArray(F, w.offset, b).fma(FloatVector.fromArray(F, x.sum, xb + b), acc);
        float sum = lanes(acc);
        for (; b < blocks; b++) sum += w.offset[b] * x.sum[xb + b];
        return sum;
    }

    private static float lanes(FloatVector acc) {
        float sum = acc.lane(0);
        for (int lane = 1; lane < L; lane++) sum += acc.lane(lane);
        return sum;
    }

    /**
     * Rows [from, to) of a float {@code w} (F32, F16, BF16; Q8_0 and Q4_0 under {@link Activations#F32}) times every
     * activation row. Rows are widened four at a
     * time into {@code row} (4 * cols floats); one sequence is dotted with four rows at once, more with two rows
     * times four sequences, so that each loaded vector feeds several multiply-adds.
     */
    static void rows(Matrix w, int from, int to, float[] x, int n, float[] out, float[] row) {
        int cols = w.cols();
        int rows = w.rows();
        int r = from;
        for (; r + 4 <= to; r += 4) {
            for (int j = 0; j < 4; j++) dequantizeRow(w, r + j, row, j * cols);
            if (n < 4) {
                for (int s = 0; s < n; s++) dot4x1(row, cols, x, s * cols, out, s * rows + r);
            } else {
                for (int pair = 0; pair < 4; pair += 2) {
                    int s = 0;
                    for (; s + 4 <= n; s += 4) dot2x4(row, pair * cols, cols, x, s * cols, out, s * rows + r + pair, rows);
                    for (; s < n; s++) {
                        out[s * rows + r + pair] = dot(row, pair * cols, x, s * cols, cols);
                        out[s * rows + r + pair + 1] = dot(row, (pair + 1) * cols, x, s * cols, cols);
                    }
                }
            }
        }
        for (; r < to; r++) {
            dequantizeRow(w, r, row, 0);
            for (int s = 0; s < n; s++) out[s * rows + r] = dot(row, 0, x, s * cols, cols);
        }
    }

    /** Row {@code r} of {@code w} as floats in {@code dst[o..o + cols)} (exactly: the stored values times their scales). */
    static void dequantizeRow(Matrix w, int r, float[] dst, int o) {
        MemorySegment data = w.data();
        int cols = w.cols();
        switch (w.type()) {
            case F32 -> MemorySegment.copy(data, F32, (long) r * cols * 4, dst, o, cols);
            case F16 -> {
                short[] half = Decoded.forThread(cols).q;
                MemorySegment.copy(data, I16, (long) r * cols * 2, half, 0, cols);
                for (int i = 0; i < cols; i++) dst[o + i] = Float.float16ToFloat(half[i]); // C2 vectorizes this (vcvtph2ps)
            }
            case BF16 -> {
                short[] half = Decoded.forThread(cols).q;
                MemorySegment.copy(data, I16, (long) r * cols * 2, half, 0, cols);
                for (int i = 0; i < cols; i++) dst[o + i] = Float.intBitsToFloat(half[i] << 16); // a BF16 is the top half of an F32
            }
            case Q8_0 -> {
                long at = (long) r * (cols / QK) * GgmlType.Q8_0.blockBytes();
                for (int b = 0; b < cols; b += QK, at += GgmlType.Q8_0.blockBytes()) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, at)));
                    for (int k = 0; k < QK; k += L) {
                        ByteVector q = ByteVector.fromMemorySegment(B8, data, at + 2 + k, ByteOrder.LITTLE_ENDIAN);
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + b + k);
                    }
                }
            }
            case Q4_0 -> {
                long at = (long) r * (cols / QK) * GgmlType.Q4_0.blockBytes();
                for (int b = 0; b < cols; b += QK, at += GgmlType.Q4_0.blockBytes()) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, at)));
                    for (int k = 0; k < QK / 2; k += L) {
                        // byte j holds element j (low nibble) and element j + 16 (high nibble)
                        ByteVector packed = ByteVector.fromMemorySegment(B8, data, at + 2 + k, ByteOrder.LITTLE_ENDIAN);
                        ByteVector lo = packed.and((byte) 0x0F).sub((byte) 8);
                        ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + b + k);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, o + b + k + QK / 2);
                    }
                }
            }
            default -> w.readRow(r, dst, o);
        }
    }

    /*
     * Every float dot product below is summed the same way: one 8-lane accumulator over the whole 8-wide chunks in column
     * order, its lanes added in lane order, then the remaining columns one by one. The tiled kernels only run
     * several such sums side by side.
     */

    /** The dot product of {@code w[wo..wo + cols)} with {@code x[xo..xo + cols)}. */
    static float dot(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector a = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= cols; i += L) a = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), a);
        return tail(a, w, wo, x, xo, i, cols);
    }

    /** Four consecutive rows of {@code w} (from 0, {@code cols} apart) with one activation row; results at out[o..o + 4). */
    static void dot4x1(float[] w, int cols, float[] x, int xo, float[] out, int o) {
        int w1 = cols;
        int w2 = 2 * cols;
        int w3 = 3 * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= cols; i += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromArray(F, w, i).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, w1 + i).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, w2 + i).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, w3 + i).fma(xv, a3);
        }
        out[o] = tail(a0, w, 0, x, xo, i, cols);
        out[o + 1] = tail(a1, w, w1, x, xo, i, cols);
        out[o + 2] = tail(a2, w, w2, x, xo, i, cols);
        out[o + 3] = tail(a3, w, w3, x, xo, i, cols);
    }

    /**
     * Two consecutive rows of {@code w} (from {@code wo}) with four consecutive activation rows (from {@code xo});
     * row j, sequence k lands at out[o + j + k * stride].
     */
    static void dot2x4(float[] w, int wo, int cols, float[] x, int xo, float[] out, int o, int stride) {
        int wb = wo + cols;
        int x1 = xo + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= cols; i += L) {
            FloatVector wa = FloatVector.fromArray(F, w, wo + i);
            FloatVector wv = FloatVector.fromArray(F, w, wb + i);
            FloatVector xv = FloatVector.fromArray(F, x, xo + i);
            a0 = wa.fma(xv, a0);
            b0 = wv.fma(xv, b0);
            xv = FloatVector.fromArray(F, x, x1 + i);
            a1 = wa.fma(xv, a1);
            b1 = wv.fma(xv, b1);
            xv = FloatVector.fromArray(F, x, x2 + i);
            a2 = wa.fma(xv, a2);
            b2 = wv.fma(xv, b2);
            xv = FloatVector.fromArray(F, x, x3 + i);
            a3 = wa.fma(xv, a3);
            b3 = wv.fma(xv, b3);
        }
        out[o] = tail(a0, w, wo, x, xo, i, cols);
        out[o + 1] = tail(b0, w, wb, x, xo, i, cols);
        out[o + stride] = tail(a1, w, wo, x, x1, i, cols);
        out[o + stride + 1] = tail(b1, w, wb, x, x1, i, cols);
        out[o + 2 * stride] = tail(a2, w, wo, x, x2, i, cols);
        out[o + 2 * stride + 1] = tail(b2, w, wb, x, x2, i, cols);
        out[o + 3 * stride] = tail(a3, w, wo, x, x3, i, cols);
        out[o + 3 * stride + 1] = tail(b3, w, wb, x, x3, i, cols);
    }

    /** The lanes of {@code acc} added in order, then the scalar products of columns [i, cols). */
    private static float tail(FloatVector acc, float[] w, int wo, float[] x, int xo, int i, int cols) {
        float sum = acc.lane(0);
        for (int lane = 1; lane < L; lane++) sum += acc.lane(lane);
        for (; i < cols; i++) sum += w[wo + i] * x[xo + i];
        return sum;
    }
}
