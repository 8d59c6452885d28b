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
 * <p>A weight row is first dequantized into a per-thread float buffer (exactly: a Q8_0/Q4_0 element is an F16
 * scale times a small integer, which a float holds without rounding), then dotted with each activation row. Every
 * dot product is summed the same way whatever the batch, the row split or the JIT tier (fixed 8-lane vectors, two
 * accumulators, lanes added in order, no reduction of unspecified order), so a sequence's numbers do not depend on
 * which other sequences share its step.
 */
final class Kernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int L = 8;
    private static final int QK = 32;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Multiply-adds below which a product is not worth splitting over the team. */
    static final long PARALLEL_WORK = 1 << 15;
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
        int rowsPerItem = (int) Math.max(1, Math.min(64, ITEM_WORK / ((long) cols * n)));
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

    /** Rows [from, to) of {@code w} times every activation row. */
    static void rows(Matrix w, int from, int to, float[] x, int n, float[] out, float[] row) {
        int cols = w.cols();
        int rows = w.rows();
        for (int r = from; r < to; r++) {
            dequantizeRow(w, r, row);
            int s = 0;
            for (; s + 4 <= n; s += 4) dot4(row, x, s * cols, cols, out, s * rows + r, rows);
            for (; s < n; s++) out[s * rows + r] = dot(row, x, s * cols, cols);
        }
    }

    /** Row {@code r} of {@code w} as floats in {@code dst[0..cols)}. */
    static void dequantizeRow(Matrix w, int r, float[] dst) {
        MemorySegment data = w.data();
        int cols = w.cols();
        switch (w.type()) {
            case F32 -> MemorySegment.copy(data, F32, (long) r * cols * 4, dst, 0, cols);
            case Q8_0 -> {
                long at = (long) r * (cols / QK) * GgmlType.Q8_0.blockBytes();
                for (int b = 0; b < cols; b += QK, at += GgmlType.Q8_0.blockBytes()) {
                    FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, at)));
                    for (int k = 0; k < QK; k += L) {
                        ByteVector q = ByteVector.fromMemorySegment(B, data, at + 2 + k, ByteOrder.LITTLE_ENDIAN);
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, b + k);
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
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, b + k);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, b + k + QK / 2);
                    }
                }
            }
            default -> w.readRow(r, dst, 0);
        }
    }

    /** The dot product of {@code w[0..cols)} with {@code x[xo..xo + cols)}. */
    static float dot(float[] w, float[] x, int xo, int cols) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= cols; i += 2 * L) {
            a = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), a);
            b = FloatVector.fromArray(F, w, i + L).fma(FloatVector.fromArray(F, x, xo + i + L), b);
        }
        if (i + L <= cols) {
            a = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xo + i), a);
            i += L;
        }
        return tail(a.add(b), w, x, xo, i, cols);
    }

    /** {@link #dot} for the four activation rows at {@code xo}, {@code xo + cols}, ...; results at out[o + j * stride]. */
    static void dot4(float[] w, float[] x, int xo, int cols, float[] out, int o, int stride) {
        int x1 = xo + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), b0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), b2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= cols; i += 2 * L) {
            FloatVector wa = FloatVector.fromArray(F, w, i);
            FloatVector wb = FloatVector.fromArray(F, w, i + L);
            a0 = wa.fma(FloatVector.fromArray(F, x, xo + i), a0);
            b0 = wb.fma(FloatVector.fromArray(F, x, xo + i + L), b0);
            a1 = wa.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            b1 = wb.fma(FloatVector.fromArray(F, x, x1 + i + L), b1);
            a2 = wa.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            b2 = wb.fma(FloatVector.fromArray(F, x, x2 + i + L), b2);
            a3 = wa.fma(FloatVector.fromArray(F, x, x3 + i), a3);
            b3 = wb.fma(FloatVector.fromArray(F, x, x3 + i + L), b3);
        }
        if (i + L <= cols) {
            FloatVector wa = FloatVector.fromArray(F, w, i);
            a0 = wa.fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = wa.fma(FloatVector.fromArray(F, x, x1 + i), a1);
            a2 = wa.fma(FloatVector.fromArray(F, x, x2 + i), a2);
            a3 = wa.fma(FloatVector.fromArray(F, x, x3 + i), a3);
            i += L;
        }
        out[o] = tail(a0.add(b0), w, x, xo, i, cols);
        out[o + stride] = tail(a1.add(b1), w, x, x1, i, cols);
        out[o + 2 * stride] = tail(a2.add(b2), w, x, x2, i, cols);
        out[o + 3 * stride] = tail(a3.add(b3), w, x, x3, i, cols);
    }

    /** The lanes of {@code acc} added in order, then the scalar products of columns [i, cols). */
    private static float tail(FloatVector acc, float[] w, float[] x, int xo, int i, int cols) {
        float sum = acc.lane(0);
        for (int lane = 1; lane < L; lane++) sum += acc.lane(lane);
        for (; i < cols; i++) sum += w[i] * x[xo + i];
        return sum;
    }
}
