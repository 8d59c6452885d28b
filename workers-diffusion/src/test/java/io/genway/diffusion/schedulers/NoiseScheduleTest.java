package io.genway.diffusion.schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Measured values: diffusers-schedulers.md §1 (torch 1.13.1, CPU, float32). */
class NoiseScheduleTest {
    @Test
    void linearScheduleMatchesTorch() {
        float[] alphasCumprod = NoiseSchedule.DEFAULT.alphasCumprod();

        assertThat(alphasCumprod[0]).isCloseTo(0.99990000f, within(1e-8f));
        assertThat(alphasCumprod[1]).isCloseTo(0.99978006f, within(1e-8f));
        assertThat(alphasCumprod[499]).isCloseTo(0.07858724f, within(1e-8f));
        assertThat(alphasCumprod[999]).isCloseTo(4.0358307e-05f, within(1e-12f));
    }

    @Test
    void cosineScheduleMatchesTorch() {
        NoiseSchedule cosine = new NoiseSchedule(1000, 1e-4, 0.02, BetaSchedule.SQUAREDCOS_CAP_V2, false);
        float[] betas = cosine.betas();
        float[] alphasCumprod = cosine.alphasCumprod();

        assertThat(betas[0]).isCloseTo(4.1284224e-05f, within(1e-12f));
        assertThat(betas[1]).isCloseTo(4.6141751e-05f, within(1e-12f));
        assertThat(betas[500]).isCloseTo(0.0031556915f, within(1e-10f));
        assertThat(betas[998]).isCloseTo(0.74999940f, within(1e-7f));
        assertThat(betas[999]).isEqualTo(0.999f);
        assertThat(alphasCumprod[0]).isCloseTo(0.99995869f, within(1e-8f));
        assertThat(alphasCumprod[500]).isCloseTo(0.49228504f, within(1e-8f));
        assertThat(alphasCumprod[999]).isCloseTo(2.4287350e-09f, within(1e-15f));
    }

    /**
     * The one place this port is not bit-exact: the same float32 linspace that reproduces the linear schedule to
     * the last digit leaves some of these square roots an ulp or two off torch's, so the product drifts by about
     * 5e-7 relative over 1000 steps. No golden loop uses this schedule; tolerances say how close it is.
     */
    @Test
    void scaledLinearScheduleMatchesTorchWithinAFewUlps() {
        float[] betas = NoiseSchedule.STABLE_DIFFUSION.betas();
        float[] alphasCumprod = NoiseSchedule.STABLE_DIFFUSION.alphasCumprod();

        assertThat(betas[0]).isCloseTo(0.00085f, within(6e-11f));
        assertThat(betas[1]).isCloseTo(0.00085469859f, within(6e-11f));
        assertThat(betas[500]).isCloseTo(0.0048149545f, within(1.5e-9f));
        assertThat(betas[999]).isCloseTo(0.012f, within(2e-9f));
        assertThat(alphasCumprod[0]).isCloseTo(0.99914998f, within(1e-8f));
        assertThat(alphasCumprod[500]).isCloseTo(0.27633250f, within(1e-7f));
        assertThat(alphasCumprod[999]).isCloseTo(0.0046600960f, within(3e-9f));
    }

    @Test
    void rescalingToZeroSnrEndsInPureNoiseAndKeepsTheFirstStep() {
        NoiseSchedule plain = NoiseSchedule.STABLE_DIFFUSION;
        NoiseSchedule rescaled = new NoiseSchedule(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, true);

        float[] alphasCumprod = rescaled.alphasCumprod();

        assertThat(alphasCumprod[999]).isCloseTo(0f, within(1e-9f));
        assertThat(alphasCumprod[0]).isCloseTo(plain.alphasCumprod()[0], within(1e-6f));
    }

    @Test
    void namesTheFieldItRejects() {
        assertThatThrownBy(() -> NoiseSchedule.DEFAULT.withTrainTimesteps(1)).hasMessageContaining("trainTimesteps");
        assertThatThrownBy(() -> NoiseSchedule.DEFAULT.withBetaStart(0.5)).hasMessageContaining("betaEnd");
    }
}
