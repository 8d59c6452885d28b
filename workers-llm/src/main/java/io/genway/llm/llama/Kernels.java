package io.genway.llm.llama;

import io.genway.llm.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products for a batch: {@code out[s] = W · x[s]} for every sequence row {@code s}, each weight row read
 * from memory once per step and dotted with all rows while it sits in cache.
 *
 * <p>Weight rows are first dequantized into a per-thread float buffer (exactly: a Q8_0/Q4_0 element is an F16
 * scale times a small integer, which a float holds without rounding), then dotted with each activation row. Every
 * dot product is summed the same way whatever the batch, the row split, the tile or the JIT tier (fixed 8-lane
 * vectors, one accumulator, lanes added in order, no reduction of unspecified order), so a sequence's numbers do not
 * depend on which other sequences share its step.
 */
final class Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int L = 8;
    private static final int QK = 32;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Multiply-adds below which a product is not worth splitting over the team. */
    static final long PARALLEL_WORK = 1 << 17;
    /** Multiply-adds per item handed to a team member. */
    private static final long ITEM_WORK = 1 << 15;

    private Kernels() {
    }

    /**
     * {@code outs[m][s * rows_m + r] = ws[m] row r · x[s * cols ..]} for {@code s < n}: several matrices of the
     * same input width (q, k, v; gate, up) in one team section.
     *
     * @param scratch per team member, at least {@code cols} floats
     */
    static void matmul(Team team, Matrix[] ws, float[] x, int n, float[][] outs, float[][] scratch) {
        int cols = ws[0].cols();
        int rowsPerItem = (int) Math.max(4, Math.min(64, ITEM_WORK / ((long) cols * n))) & ~3; // whole 4-row tiles
        int[] firstItem = new int[ws.length + 1];
        long work = 0;
        for (int m = 0; m < ws.length; m++) {
            if (ws[m].cols() != cols) throw new IllegalArgumentException("matrix " + ws[m].name() + " has " + ws[m].cols() + " columns, not " + cols);
            firstItem[m + 1] = firstItem[m] + (ws[m].rows() + rowsPerItem - 1) / rowsPerItem;
            work += (long) ws[m].rows() * cols * n;
        }
        team.run(firstItem[ws.length], work >= PARALLEL_WORK, (member, item) -> {
            int m = 0;
            while (item >= firstItem[m + 1]) m++;
            int from = (item - firstItem[m]) * rowsPerItem;
            rows(ws[m], from, Math.min(ws[m].rows(), from + rowsPerItem), x, n, outs[m], scratch[member]);
        });
    }

    static void matmul(Team team, Matrix w, float[] x, int n, float[] out, float[][] scratch) {
        matmul(team, new Matrix[] {w}, x, n, new float[][] {out}, scratch);
    }

    /**
     * Rows [from, to) of {@code w} times every activation row. Rows are dequantized four at a time into
     * {@code row} (4 * cols floats); one sequence is dotted with four rows at once, more with two rows times four
     * sequences, so that each loaded vector feeds several multiply-adds.
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

    /** Row {@code r} of {@code w} as floats in {@code dst[o..o + cols)}. */
    static void dequantizeRow(Matrix w, int r, float[] dst, int o) {
        MemorySegment data = w.data();
        int cols = w.cols();
        switch (w.type()) {
            case F32 -> MemorySegment.copy(data, F32, (long) r * cols * 4, dst, o, cols);
            case Q8_0 -> {
                long at = (long) r * (cols / QK) * GgmlType.Q8_0.blockBytes();
                for (int b = 0; b < cols; b += QK, at += GgmlType.Q8_0.blockBytes()) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, at)));
                    for (int k = 0; k < QK; k += L) {
                        ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + k, ByteOrder.LITTLE_ENDIAN);
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
                        ByteVector packed = ByteVector.fromMemorySegment(B, data, at + 2 + k, ByteOrder.LITTLE_ENDIAN);
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
     * Every dot product below is summed the same way: one 8-lane accumulator over the whole 8-wide chunks in column
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
