package io.genway.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.nn.FeatureMap;

/** A case file's recorded output: shape, sums and every stride-th element, compared within a tolerance. */
final class ExpectedOutput {
    private ExpectedOutput() {}

    static void assertMatches(FeatureMap y, JsonNode expected, double tolerance) {
        JsonNode shape = expected.get("shape");
        assertThat(new int[] {y.batch(), y.channels(), y.height(), y.width()}).containsExactly(
                shape.get(0).asInt(), shape.get(1).asInt(), shape.get(2).asInt(), shape.get(3).asInt());
        float[] data = y.data();
        double absolute = 0;
        double plain = 0;
        for (float v : data) {
            absolute += Math.abs(v);
            plain += v;
        }
        double sumAbs = expected.get("sum_abs").asDouble();
        assertThat(absolute).as("sum |y|").isCloseTo(sumAbs, within(sumAbs * tolerance));
        assertThat(plain).as("sum y").isCloseTo(expected.get("sum").asDouble(), within(sumAbs * tolerance));
        int stride = expected.get("sample_stride").asInt();
        JsonNode samples = expected.get("samples");
        for (int s = 0; s < samples.size(); s++) {
            assertThat((double) data[s * stride]).as("y[%d] (flat)", s * stride)
                    .isCloseTo(samples.get(s).asDouble(), within(tolerance * Math.max(1, Math.abs(samples.get(s)
                            .asDouble()))));
        }
    }
}
