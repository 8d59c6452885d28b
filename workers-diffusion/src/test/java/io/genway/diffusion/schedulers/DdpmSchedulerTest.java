package io.genway.diffusion.schedulers;

import static io.genway.diffusion.schedulers.DiffusersHarness.BATCH;
import static io.genway.diffusion.schedulers.DiffusersHarness.absMean;
import static io.genway.diffusion.schedulers.DiffusersHarness.absSum;
import static io.genway.diffusion.schedulers.DiffusersHarness.first4;
import static io.genway.diffusion.schedulers.DiffusersHarness.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genway.diffusion.random.NoiseSource;
import io.genway.diffusion.random.TorchGenerator;
import org.junit.jupiter.api.Test;

/** Golden values: diffusers-schedulers.md §2 and §6 (diffusers' tolerance is 1e-2 on sums, 1e-3 on means). */
class DdpmSchedulerTest {
    @Test
    void computesTheAssertedPosteriorVariances() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT);

        assertThat(scheduler.variance(0)).isCloseTo(1e-20f, within(1e-27f));
        assertThat(scheduler.variance(487)).isCloseTo(0.0097916601f, within(1e-8f));
        assertThat(scheduler.variance(999)).isCloseTo(0.0199999642f, within(1e-8f));
    }

    @Test
    void fullLoopWithoutNoiseMatchesDiffusers() {
        float[] x = fullLoop(DdpmConfig.DEFAULT);

        assertThat(absSum(x)).isCloseTo(258.960632, within(2e-3));
        assertThat(absMean(x)).isCloseTo(0.33718833, within(3e-6));
        assertThat(first4(x)).containsExactly(new float[] {-0.280614f, -0.424899f, -0.082318f, -0.049813f},
                within(2e-5f));
    }

    @Test
    void fullLoopWithVPredictionMatchesDiffusers() {
        float[] x = fullLoop(DdpmConfig.DEFAULT.withPredictionType(PredictionType.V_PREDICTION));

        assertThat(absSum(x)).isCloseTo(202.029572, within(2e-3));
        assertThat(absMean(x)).isCloseTo(0.26305935, within(3e-6));
        assertThat(first4(x)).containsExactly(new float[] {-0.081324f, -0.47771f, -0.073143f, -0.107595f},
                within(2e-5f));
    }

    @Test
    void fullLoopFromANoisedSampleMatchesDiffusers() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT);
        NoiseSource generator = TorchGenerator.seeded(0);
        float[] x = scheduler.addNoise(DiffusersHarness.sample(), DiffusersHarness.noise(), 1);

        for (int t = 1; t >= 0; t--) x = scheduler.step(model(x, t), t, x, BATCH, generator).prevSample();

        assertThat(absSum(x)).isCloseTo(387.946594, within(2e-3));
        assertThat(absMean(x)).isCloseTo(0.50513881, within(3e-6));
        assertThat(first4(x)).containsExactly(new float[] {0.006438f, 0.011352f, 0.023122f, 0.026878f}, within(2e-6f));
    }

    @Test
    void drawsNoiseOnEveryStepButTheLast() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT);
        int[] draws = {0};
        NoiseSource counting = count -> {
            draws[0]++;
            return new float[count];
        };
        float[] x = DiffusersHarness.sample();

        for (double t : scheduler.setTimesteps(10)) x = scheduler.step(model(x, t), t, x, BATCH, counting).prevSample();

        assertThat(draws[0]).isEqualTo(9);
    }

    @Test
    void stepsToTheNextPlannedTimestep() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT);
        scheduler.setTimesteps(10);
        float[] x = DiffusersHarness.sample();
        float[] eps = model(x, 900);

        float[] prev = scheduler.step(eps, 900, x, BATCH, float[]::new).prevSample();

        // the posterior mean from 900 straight to 800, in double
        float[] alphaBar = NoiseSchedule.DEFAULT.alphasCumprod();
        double a = alphaBar[900];
        double aPrev = alphaBar[800];
        double beta = 1 - a / aPrev;
        for (int i = 0; i < x.length; i += 97) {
            double x0 = Math.clamp((x[i] - Math.sqrt(1 - a) * eps[i]) / Math.sqrt(a), -1, 1);
            double mean = Math.sqrt(aPrev) * beta / (1 - a) * x0 + Math.sqrt(1 - beta) * (1 - aPrev) / (1 - a) * x[i];
            assertThat((double) prev[i]).isCloseTo(mean, within(1e-5));
        }
    }

    @Test
    void splitsALearnedVarianceFromTheSecondHalfOfEachItemsChannels() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT.withVarianceType(
                DdpmConfig.VarianceType.LEARNED_RANGE));
        float[] x = DiffusersHarness.sample();
        float[] prediction = model(x, 500);
        float[] doubled = new float[2 * x.length];
        int item = x.length / BATCH;
        for (int b = 0; b < BATCH; b++) {
            System.arraycopy(prediction, b * item, doubled, 2 * b * item, item);
            java.util.Arrays.fill(doubled, 2 * b * item + item, 2 * (b + 1) * item, -1f); // v = -1: the small variance
        }
        NoiseSource ones = count -> {
            float[] z = new float[count];
            java.util.Arrays.fill(z, 1f);
            return z;
        };

        float[] learned = scheduler.step(doubled, 500, x, BATCH, ones).prevSample();
        float[] fixed = new DdpmScheduler(DdpmConfig.DEFAULT).step(prediction, 500, x, BATCH, ones).prevSample();

        assertThat(learned).containsExactly(fixed, within(1e-6f));
    }

    @Test
    void rejectsATimestepOutsideTraining() {
        DdpmScheduler scheduler = new DdpmScheduler(DdpmConfig.DEFAULT);
        float[] x = DiffusersHarness.sample();

        assertThatThrownBy(() -> scheduler.step(x, 1000, x, BATCH, float[]::new)).hasMessageContaining("timestep");
    }

    /** diffusers' test_full_loop_no_noise: every training timestep, one generator seeded 0 for the whole loop. */
    private static float[] fullLoop(DdpmConfig config) {
        DdpmScheduler scheduler = new DdpmScheduler(config);
        NoiseSource generator = TorchGenerator.seeded(0);
        float[] x = DiffusersHarness.sample();
        for (int t = config.noise().trainTimesteps() - 1; t >= 0; t--) {
            x = scheduler.step(model(x, t), t, x, BATCH, generator).prevSample();
        }
        return x;
    }
}
