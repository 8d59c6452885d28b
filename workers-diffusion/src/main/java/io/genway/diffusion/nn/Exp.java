package io.genway.diffusion.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp for softmax, from IEEE adds, multiplies and FMAs only (Cephes' single-precision polynomial, about 1 ulp), in a
 * vector and a scalar form that give identical bits. The Vector API's own EXP is SVML once compiled but a Math.exp
 * loop before, and the two differ in the last bit: a batch's results would then depend on how warm the JVM is,
 * and the same seed would not give the same image alone and batched.
 */
final class Exp {
    /** Below this, e^x is under float's normal range; softmax loses nothing by treating it as e^-87. */
    private static final float LOW = -87f;
    private static final float HIGH = 88f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    /** 1.5 · 2^23: adding it rounds a float to the nearest integer in its low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private Exp() {}

    static FloatVector exp(FloatVector x) {
        x = x.max(LOW).min(HIGH);
        FloatVector rounded = x.fma(LOG2E, ROUND);
        FloatVector n = rounded.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(x.species(), -LN2_HIGH), x);
        r = n.fma(FloatVector.broadcast(x.species(), -LN2_LOW), r);
        FloatVector p = r.fma(P0, P1).fma(r, FloatVector.broadcast(x.species(), P2));
        p = p.fma(r, FloatVector.broadcast(x.species(), P3)).fma(r, FloatVector.broadcast(x.species(), P4));
        p = p.fma(r, FloatVector.broadcast(x.species(), P5));
        p = p.mul(r.mul(r)).add(r).add(1f);
        // n as an int without a conversion: it sits in the low mantissa bits of the rounded value, whose exponent
        // bits are ROUND's; shifted into place, the difference plus 127 is 2^n's exponent field
        IntVector bits = rounded.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND) - 127)
                .lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    static float exp(float x) {
        x = Math.min(Math.max(x, LOW), HIGH);
        float n = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HIGH, x);
        r = Math.fma(n, -LN2_LOW, r);
        float p = Math.fma(Math.fma(r, P0, P1), r, P2);
        p = Math.fma(Math.fma(p, r, P3), r, P4);
        p = Math.fma(p, r, P5);
        p = p * (r * r) + r + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }
}
