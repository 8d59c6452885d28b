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
import io.genway.diffusion.schedulers.DpmSolverConfig.SigmaSpacing;
import io.genway.diffusion.schedulers.DpmSolverConfig.SolverType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Golden values: diffusers-schedulers.md §5 and §6. diffusers' DPM tests run with lower_order_final=False and
 * final_sigmas_type=sigma_min; diffusers asserts only the means (1e-3) for the no-noise rows.
 */
class DpmSolverSchedulerTest {
    private static final DpmSolverConfig BASE = DpmSolverConfig.DEFAULT.withFinalSteps(false, false, false);
    private static final NoiseSource UNUSED = count -> {
        throw new AssertionError("DPM-Solver++ must not draw noise");
    };

    @Test
    void plansTheMeasuredTimestepsAndSigmas() {
        DpmSolverScheduler scheduler = new DpmSolverScheduler(BASE);

        assertThat(scheduler.setTimesteps(10)).containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100);
        assertThat(scheduler.sigmas()).containsExactly(new float[] {157.407257f, 60.271412f, 25.528482f, 11.93952f,
                6.13521f, 3.442967f, 2.041087f, 1.240161f, 0.723591f, 0.34226f, 0.010001f}, within(2e-6f));
    }

    @Test
    void plansTheMeasuredKarrasTimesteps() {
        DpmSolverScheduler scheduler = new DpmSolverScheduler(BASE.withSigmaSpacing(SigmaSpacing.KARRAS));

        assertThat(scheduler.setTimesteps(10)).containsExactly(999, 937, 864, 775, 663, 511, 301, 102, 18, 0);
    }

    @Test
    void fullLoopMatchesDiffusers() {
        float[] x = fullLoop(BASE);

        assertThat(absSum(x)).isCloseTo(253.551392, within(3e-4));
        assertThat(absMean(x)).isCloseTo(0.33014503, within(4e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.0f, 0.003443f, 0.006887f, 0.01033f}, within(1e-6f));
    }

    @Test
    void fullLoopWithDynamicThresholdingMatchesDiffusers() {
        float[] x = fullLoop(BASE.withThresholding(new SampleClipping.DynamicThreshold(0.87, 0.5)));

        assertThat(absSum(x)).isCloseTo(872.727051, within(1e-3));
        assertThat(absMean(x)).isCloseTo(1.13636339, within(1.5e-6));
    }

    @Test
    void fullLoopWithVPredictionMatchesDiffusers() {
        float[] x = fullLoop(BASE.withPredictionType(PredictionType.V_PREDICTION));

        assertThat(absSum(x)).isCloseTo(172.873993, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.22509634, within(3e-7));
    }

    @Test
    void fullLoopWithKarrasSigmasAndVPredictionMatchesDiffusers() {
        float[] x = fullLoop(BASE.withPredictionType(PredictionType.V_PREDICTION)
                .withSigmaSpacing(SigmaSpacing.KARRAS));

        assertThat(absSum(x)).isCloseTo(160.664200, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.20919818, within(3e-7));
    }

    @Test
    void fullLoopWithLuLambdasAndVPredictionMatchesDiffusers() {
        float[] x = fullLoop(BASE.withPredictionType(PredictionType.V_PREDICTION)
                .withSigmaSpacing(SigmaSpacing.LU_LAMBDAS));

        assertThat(absSum(x)).isCloseTo(119.364822, within(2e-4));
        assertThat(absMean(x)).isCloseTo(0.15542294, within(3e-7));
    }

    @Test
    void fullLoopFromANoisedSampleMatchesDiffusers() {
        DpmSolverScheduler scheduler = new DpmSolverScheduler(BASE);
        double[] timesteps = Arrays.copyOfRange(scheduler.setTimesteps(10), 5, 10);
        float[] x = scheduler.addNoise(DiffusersHarness.sample(), DiffusersHarness.noise(), timesteps[0]);

        for (double t : timesteps) x = scheduler.step(model(x, t), t, x, BATCH, UNUSED).prevSample();

        assertThat(timesteps).containsExactly(500, 400, 300, 200, 100);
        assertThat(absSum(x)).isCloseTo(318.411102, within(3e-4));
        assertThat(absMean(x)).isCloseTo(0.41459778, within(4e-7));
        assertThat(first4(x)).containsExactly(new float[] {0.642565f, 0.640187f, 0.637809f, 0.635431f}, within(1e-6f));
    }

    @Test
    void endsOnTheCleanSampleWithTheDefaultZeroFinalSigma() {
        DpmSolverScheduler scheduler = new DpmSolverScheduler(DpmSolverConfig.DEFAULT);
        float[] x = DiffusersHarness.sample();
        StepResult last = null;
        for (double t : scheduler.setTimesteps(10)) {
            last = scheduler.step(model(x, t), t, x, BATCH, UNUSED);
            x = last.prevSample();
        }

        // at σ = 0 the first-order update returns its x0 estimate exactly
        assertThat(x).containsExactly(last.predictedOriginal(), within(1e-6f));
        assertThat(absSum(x)).isFinite();
    }

    @Test
    void runsThirdOrderAndHeunToFiniteResults() {
        for (DpmSolverConfig config : new DpmSolverConfig[] {
            DpmSolverConfig.DEFAULT.withSolver(3, SolverType.MIDPOINT),
            DpmSolverConfig.DEFAULT.withSolver(2, SolverType.HEUN)
        }) {
            float[] x = fullLoop(config, 20);
            for (float v : x) assertThat(v).isFinite();
        }
    }

    @Test
    void namesTheFieldItRejects() {
        assertThatThrownBy(() -> BASE.withSolver(4, SolverType.MIDPOINT)).hasMessageContaining("solverOrder");
        assertThatThrownBy(() -> BASE.withThresholding(SampleClipping.UNIT)).hasMessageContaining("thresholding");
    }

    private static float[] fullLoop(DpmSolverConfig config) {
        return fullLoop(config, 10);
    }

    private static float[] fullLoop(DpmSolverConfig config, int steps) {
        DpmSolverScheduler scheduler = new DpmSolverScheduler(config);
        float[] x = DiffusersHarness.sample();
        for (double t : scheduler.setTimesteps(steps)) {
            x = scheduler.step(model(x, t), t, x, BATCH, UNUSED).prevSample();
        }
        return x;
    }
}
