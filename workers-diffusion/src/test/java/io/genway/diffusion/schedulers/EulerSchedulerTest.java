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

/** Golden values: diffusers-schedulers.md §4 and §6; diffusers' Euler tests train on 1100 timesteps. */
class EulerSchedulerTest {
    private static final EulerConfig BASE = EulerConfig.DEFAULT.withNoise(NoiseSchedule.DEFAULT.withTrainTimesteps(1100));
    private static final NoiseSource UNUSED = count -> {
        throw new AssertionError("Euler without churn must not draw noise");
    };

    @Test
    void plansTheMeasuredTimestepsAndSigmas() {
        EulerScheduler scheduler = new EulerScheduler(BASE);

        double[] timesteps = scheduler.setTimesteps(10);

        assertThat(timesteps).containsExactly(new double[] {1099, 976.888916, 854.777771, 732.666687, 610.555542,
                488.444458, 366.333344, 244.222229, 122.111115, 0}, within(1e-6));
        assertThat(scheduler.sigmas()).containsExactly(new float[] {261.055573f, 81.405678f, 29.112118f, 11.912565f,
                5.53582f, 2.864875f, 1.586818f, 0.874083f, 0.400163f, 0.010001f, 0f}, within(2e-6f));
        assertThat(scheduler.initNoiseSigma()).isCloseTo(261.0555725f, within(3e-5f));
    }

    @Test
    void plansTheMeasuredKarrasSigmasAndTimesteps() {
        EulerScheduler scheduler = new EulerScheduler(BASE.withKarrasSigmas(true));

        double[] timesteps = scheduler.setTimesteps(10);

        assertThat(scheduler.sigmas()).containsExactly(new float[] {261.055573f, 140.048264f, 70.695412f, 33.13921f,
                14.167905f, 5.385187f, 1.752219f, 0.45977f, 0.087812f, 0.010001f, 0f}, within(3e-5f));
        assertThat(timesteps).containsExactly(new double[] {1099, 1035.540039, 961.053162, 871.100098, 757.834961,
                605.782898, 387.296051, 139.537933, 23.536718, 0}, within(1e-6));
    }

    @Test
    void fullLoopMatchesDiffusers() {
        float[] x = fullLoop(BASE);

        assertThat(absSum(x)).isCloseTo(10.080676, within(2e-5));
        assertThat(absMean(x)).isCloseTo(0.01312588, within(3e-8));
        assertThat(first4(x)).containsExactly(new float[] {0.0f, 0.000137f, 0.000274f, 0.000411f}, within(1e-6f));
    }

    @Test
    void fullLoopWithVPredictionMatchesDiffusers() {
        float[] x = fullLoop(BASE.withPredictionType(PredictionType.V_PREDICTION));

        // diffusers asserts 0.0002 / 2.2676e-06 within 1e-2 / 1e-3; measured 2.418e-10 / 3.149e-13
        assertThat(absSum(x)).isCloseTo(2.418e-10, within(1e-11));
        assertThat(absMean(x)).isCloseTo(3.149e-13, within(1e-14));
    }

    @Test
    void fullLoopWithKarrasSigmasMatchesDiffusers() {
        float[] x = fullLoop(BASE.withKarrasSigmas(true));

        assertThat(absSum(x)).isCloseTo(124.522583, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.16213877, within(3e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.0f, -0.001691f, -0.003382f, -0.005073f}, within(1e-6f));
    }

    @Test
    void fullLoopFromANoisedSampleMatchesDiffusers() {
        EulerScheduler scheduler = new EulerScheduler(BASE);
        double[] timesteps = Arrays.copyOfRange(scheduler.setTimesteps(10), 8, 10);
        float[] x = DiffusersHarness.scale(DiffusersHarness.sample(), scheduler.initNoiseSigma());
        x = scheduler.addNoise(x, DiffusersHarness.noise(), timesteps[0]);

        x = loopAsDiffusersTests(scheduler, timesteps, x);

        assertThat(absSum(x)).isCloseTo(57062.929688, within(0.05));
        assertThat(absMean(x)).isCloseTo(74.30068970, within(7e-5));
        assertThat(first4(x)).containsExactly(new float[] {0.227437f, 1.00004f, 1.772642f, 2.545244f}, within(1e-5f));
    }

    @Test
    void fullLoopUsedAsAPipelineDoesMatchesTheMeasuredValue() {
        EulerScheduler scheduler = new EulerScheduler(BASE);
        double[] timesteps = scheduler.setTimesteps(10);
        float[] x = DiffusersHarness.scale(DiffusersHarness.sample(), scheduler.initNoiseSigma());

        for (double t : timesteps) {
            float[] output = model(scheduler.scaleModelInput(x, t), t);
            x = scheduler.step(output, t, x, BATCH, UNUSED).prevSample();
        }

        assertThat(absSum(x)).isCloseTo(168.051544, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.21881711, within(3e-7));
    }

    @Test
    void drawsChurnNoiseOnlyWhenAsked() {
        EulerScheduler scheduler = new EulerScheduler(BASE.withChurn(1.0));
        int[] draws = {0};
        NoiseSource counting = count -> {
            draws[0]++;
            return new float[count];
        };
        float[] x = DiffusersHarness.sample();

        for (double t : scheduler.setTimesteps(5)) x = scheduler.step(model(x, t), t, x, BATCH, counting).prevSample();

        assertThat(draws[0]).isEqualTo(5);
    }

    @Test
    void refusesToRunPastThePlan() {
        EulerScheduler scheduler = new EulerScheduler(BASE);
        double[] timesteps = scheduler.setTimesteps(2);
        float[] x = DiffusersHarness.sample();
        for (double t : timesteps) scheduler.step(x, t, x, BATCH, UNUSED);

        assertThatThrownBy(() -> scheduler.step(x, 0, x, BATCH, UNUSED)).hasMessageContaining("over");
    }

    @Test
    void startsFromAFiniteSigmaOnAZeroSnrSchedule() {
        NoiseSchedule zeroSnr = new NoiseSchedule(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, true);
        EulerScheduler scheduler = new EulerScheduler(EulerConfig.DEFAULT.withNoise(zeroSnr));

        scheduler.setTimesteps(10);

        // σ = sqrt((1 - 2^-24) / 2^-24), about 4096
        assertThat(scheduler.initNoiseSigma()).isCloseTo(4096f, within(1f));
    }

    @Test
    void namesTheFieldItRejects() {
        assertThatThrownBy(() -> BASE.withChurn(-1)).hasMessageContaining("sChurn");
    }

    private static float[] fullLoop(EulerConfig config) {
        EulerScheduler scheduler = new EulerScheduler(config);
        double[] timesteps = scheduler.setTimesteps(10);
        float[] x = DiffusersHarness.scale(DiffusersHarness.sample(), scheduler.initNoiseSigma());
        return loopAsDiffusersTests(scheduler, timesteps, x);
    }

    /** diffusers' Euler tests overwrite x with the scaled input and hand that to step (see the reference's quirk). */
    private static float[] loopAsDiffusersTests(EulerScheduler scheduler, double[] timesteps, float[] x) {
        for (double t : timesteps) {
            x = scheduler.scaleModelInput(x, t);
            x = scheduler.step(model(x, t), t, x, BATCH, UNUSED).prevSample();
        }
        return x;
    }
}
