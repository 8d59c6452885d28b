package io.genway.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class ExpTest {

    @Test
    void staysWithinFloatPrecisionOfMathExpOverSoftmaxRange() {
        for (float x = -87f; x <= 0f; x += 0.0137f) {
            double exact = Math.exp(x);
            assertThat((double) Exp.exp(x)).as("exp(%f)", x).isCloseTo(exact, within(exact * 3e-7));
        }
    }

    @Test
    void givesTheSameBitsInVectorAndScalarForm() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] xs = new float[species.length() * 64];
        for (int i = 0; i < xs.length; i++) xs[i] = -40f + 0.173f * i;
        for (int i = 0; i < xs.length; i += species.length()) {
            float[] lanes = Exp.exp(FloatVector.fromArray(species, xs, i)).toArray();
            for (int l = 0; l < lanes.length; l++) assertThat(lanes[l]).isEqualTo(Exp.exp(xs[i + l]));
        }
    }
}
