package io.genway.diffusion.schedulers;

import static io.genway.diffusion.schedulers.DiffusersHarness.BATCH;
import static io.genway.diffusion.schedulers.DiffusersHarness.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genway.diffusion.random.NoiseSource;
import org.junit.jupiter.api.Test;

/** The reference has no golden loop for the ancestral sampler; these pin its relation to plain Euler. */
class EulerAncestralSchedulerTest {
    private static final NoiseSource SILENT = float[]::new;

    @Test
    void drawsNoiseOnEveryStepTheLastIncluded() {
        EulerAncestralScheduler scheduler = new EulerAncestralScheduler(EulerAncestralConfig.DEFAULT);
        int[] draws = {0};
        NoiseSource counting = count -> {
            draws[0]++;
            return new float[count];
        };
        float[] x = DiffusersHarness.sample();

        for (double t : scheduler.setTimesteps(6)) x = scheduler.step(model(x, t), t, x, BATCH, counting).prevSample();

        assertThat(draws[0]).isEqualTo(6);
    }

    @Test
    void sharesEulersPlan() {
        EulerAncestralScheduler ancestral = new EulerAncestralScheduler(EulerAncestralConfig.DEFAULT);
        EulerScheduler euler = new EulerScheduler(EulerConfig.DEFAULT);

        assertThat(ancestral.setTimesteps(10)).containsExactly(euler.setTimesteps(10));
        assertThat(ancestral.initNoiseSigma()).isEqualTo(euler.initNoiseSigma());
    }

    @Test
    void takesTheSameLastStepAsEuler() {
        // into σ = 0 there is no noise to add back, so σ_down = 0 and the step is Euler's
        EulerAncestralScheduler ancestral = new EulerAncestralScheduler(EulerAncestralConfig.DEFAULT);
        EulerScheduler euler = new EulerScheduler(EulerConfig.DEFAULT);
        double last = ancestral.setTimesteps(10)[9];
        euler.setTimesteps(10);
        float[] x = DiffusersHarness.sample();

        float[] a = ancestral.step(model(x, last), last, x, BATCH, SILENT).prevSample();
        float[] e = euler.step(model(x, last), last, x, BATCH, SILENT).prevSample();

        assertThat(a).containsExactly(e, within(1e-7f));
    }

    @Test
    void landsBelowTheNextSigmaBeforeAddingNoise() {
        EulerAncestralScheduler ancestral = new EulerAncestralScheduler(EulerAncestralConfig.DEFAULT);
        EulerScheduler euler = new EulerScheduler(EulerConfig.DEFAULT);
        double first = ancestral.setTimesteps(10)[0];
        euler.setTimesteps(10);
        float[] x = DiffusersHarness.sample();

        float[] a = ancestral.step(model(x, first), first, x, BATCH, SILENT).prevSample();
        float[] e = euler.step(model(x, first), first, x, BATCH, SILENT).prevSample();

        // Euler stops at σ_next; the ancestral step goes further down, to σ_down < σ_next, so it removes more
        assertThat(DiffusersHarness.absSum(a)).isNotCloseTo(DiffusersHarness.absSum(e), within(1e-3));
    }

    @Test
    void rejectsSamplePrediction() {
        assertThatThrownBy(() -> EulerAncestralConfig.DEFAULT.withPredictionType(PredictionType.SAMPLE))
                .hasMessageContaining("predictionType");
    }
}
