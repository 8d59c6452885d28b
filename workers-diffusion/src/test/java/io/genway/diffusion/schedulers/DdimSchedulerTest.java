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
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Golden values: diffusers-schedulers.md §3 and §6. eta 0 never draws noise, so the source must stay unused. */
class DdimSchedulerTest {
    private static final NoiseSource UNUSED = count -> {
        throw new AssertionError("DDIM with eta 0 must not draw noise");
    };

    @Test
    void computesTheAssertedVariances() {
        DdimScheduler scheduler = new DdimScheduler(DdimConfig.DEFAULT);

        assertThat(scheduler.variance(0, 0)).isCloseTo(0f, within(1e-5f));
        assertThat(scheduler.variance(420, 400)).isCloseTo(0.14771f, within(1e-5f));
        assertThat(scheduler.variance(980, 960)).isCloseTo(0.32460f, within(1e-5f));
        assertThat(scheduler.variance(487, 486)).isCloseTo(0.00979f, within(1e-5f));
        assertThat(scheduler.variance(999, 998)).isCloseTo(0.02f, within(1e-5f));
    }

    @Test
    void plansLeadingTimestepsWithTheStepsOffset() {
        DdimScheduler scheduler = new DdimScheduler(DdimConfig.DEFAULT.withTimestepSpacing(TimestepSpacing.LEADING, 1));

        assertThat(scheduler.setTimesteps(5)).containsExactly(801, 601, 401, 201, 1);
    }

    @Test
    void fullLoopMatchesDiffusers() {
        float[] x = fullLoop(DdimConfig.DEFAULT);

        assertThat(absSum(x)).isCloseTo(172.006714, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.22396708, within(3e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.0f, 0.002336f, 0.004672f, 0.007008f}, within(1e-6f));
    }

    @Test
    void fullLoopWithVPredictionMatchesDiffusers() {
        float[] x = fullLoop(DdimConfig.DEFAULT.withPredictionType(PredictionType.V_PREDICTION));

        assertThat(absSum(x)).isCloseTo(52.530205, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.06839871, within(3e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.0f, 0.000713f, 0.001427f, 0.00214f}, within(1e-6f));
    }

    @Test
    void fullLoopEndingAtAlphaOneMatchesDiffusers() {
        float[] x = fullLoop(DdimConfig.DEFAULT.withNoise(NoiseSchedule.DEFAULT.withBetaStart(0.01)));

        assertThat(absSum(x)).isCloseTo(149.829468, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.19509046, within(3e-7));
    }

    @Test
    void fullLoopEndingAtTheFirstAlphaMatchesDiffusers() {
        float[] x = fullLoop(DdimConfig.DEFAULT.withNoise(NoiseSchedule.DEFAULT.withBetaStart(0.01))
                .withSetAlphaToOne(false));

        assertThat(absSum(x)).isCloseTo(149.078430, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.19411254, within(3e-7));
    }

    @Test
    void fullLoopFromANoisedSampleMatchesDiffusers() {
        DdimScheduler scheduler = new DdimScheduler(DdimConfig.DEFAULT);
        double[] timesteps = Arrays.copyOfRange(scheduler.setTimesteps(10), 8, 10);
        float[] x = scheduler.addNoise(DiffusersHarness.sample(), DiffusersHarness.noise(), timesteps[0]);

        for (double t : timesteps) x = scheduler.step(model(x, t), t, x, BATCH, UNUSED).prevSample();

        assertThat(timesteps).containsExactly(100, 0);
        assertThat(absSum(x)).isCloseTo(354.541809, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.46164298, within(3e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.235427f, 0.237786f, 0.240146f, 0.242505f}, within(1e-6f));
    }

    @Test
    void drawsNoiseOnEveryStepWhenEtaIsPositive() {
        DdimScheduler scheduler = new DdimScheduler(DdimConfig.DEFAULT.withEta(1.0));
        int[] draws = {0};
        NoiseSource counting = count -> {
            draws[0]++;
            return new float[count];
        };
        float[] x = DiffusersHarness.sample();

        for (double t : scheduler.setTimesteps(4)) x = scheduler.step(model(x, t), t, x, BATCH, counting).prevSample();

        assertThat(draws[0]).isEqualTo(4);
    }

    @Test
    void refusesToStepBeforeTimestepsArePlanned() {
        DdimScheduler scheduler = new DdimScheduler(DdimConfig.DEFAULT);
        float[] x = DiffusersHarness.sample();

        assertThatThrownBy(() -> scheduler.step(x, 900, x, BATCH, UNUSED)).hasMessageContaining("setTimesteps");
    }

    @Test
    void namesTheFieldItRejects() {
        assertThatThrownBy(() -> DdimConfig.DEFAULT.withEta(1.5)).hasMessageContaining("eta");
    }

    private static float[] fullLoop(DdimConfig config) {
        DdimScheduler scheduler = new DdimScheduler(config);
        float[] x = DiffusersHarness.sample();
        for (double t : scheduler.setTimesteps(10)) x = scheduler.step(model(x, t), t, x, BATCH, UNUSED).prevSample();
        return x;
    }
}
