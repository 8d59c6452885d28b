package io.genway.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class ActivationsTest {

    /** Φ(x) by Simpson's rule over the normal density from 0 (double precision throughout). */
    private static double normalCdf(double x) {
        int steps = 4000;
        double h = x / steps;
        double sum = 0;
        for (int i = 0; i <= steps; i++) {
            double density = Math.exp(-0.5 * (i * h) * (i * h)) / Math.sqrt(2 * Math.PI);
            sum += (i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2) * density;
        }
        return 0.5 + sum * h / 3;
    }

    @Test
    void geluIsXTimesTheNormalCdfToFloatPrecision() {
        for (float x = -9f; x <= 9f; x += 0.0173f) {
            double exact = x * normalCdf(x);
            assertThat((double) Activations.gelu(x)).as("gelu(%f)", x)
                    .isCloseTo(exact, within(2e-6 * Math.max(1, Math.abs(x))));
        }
    }

    @Test
    void siluIsXTimesTheLogisticToFloatPrecision() {
        for (float x = -30f; x <= 30f; x += 0.0173f) {
            double exact = x / (1 + Math.exp(-x));
            assertThat((double) Activations.silu(x)).as("silu(%f)", x)
                    .isCloseTo(exact, within(3e-7 * Math.max(1, Math.abs(x))));
        }
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        sameBits(Activations::gelu, Activations::gelu);
        sameBits(Activations::silu, Activations::silu);
    }

    @Test
    void gegluMultipliesTheFirstHalfByGeluOfTheSecond() {
        int rows = 3;
        int inner = 19; // vector body and scalar tail
        float[] projected = new float[rows * 2 * inner];
        for (int i = 0; i < projected.length; i++) projected[i] = (float) Math.sin(0.37 * i) * 3;
        float[] out = Activations.geglu(projected, rows, inner);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inner; i++) {
                float a = projected[r * 2 * inner + i];
                float gate = projected[r * 2 * inner + inner + i];
                assertThat(out[r * inner + i]).isEqualTo(a * Activations.gelu(gate));
            }
        }
    }

    private static void sameBits(UnaryOperator<FloatVector> vector, java.util.function.Function<Float, Float> scalar) {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] xs = new float[species.length() * 200];
        for (int i = 0; i < xs.length; i++) xs[i] = -100f + 0.1237f * i;
        for (int i = 0; i < xs.length; i += species.length()) {
            float[] lanes = vector.apply(FloatVector.fromArray(species, xs, i)).toArray();
            for (int l = 0; l < lanes.length; l++) {
                assertThat(lanes[l]).as("x = %f", xs[i + l]).isEqualTo(scalar.apply(xs[i + l]));
            }
        }
    }
}
