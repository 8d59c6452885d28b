package io.genway.diffusion.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Measured values: diffusers-schedulers.md §1, T = 1000, n = 10. */
class TimestepSpacingTest {
    @Test
    void leadingCountsUpFromZeroByTheIntegerRatio() {
        assertThat(TimestepSpacing.LEADING.integerTimesteps(1000, 10, 0))
                .containsExactly(900, 800, 700, 600, 500, 400, 300, 200, 100, 0);
    }

    @Test
    void leadingAddsTheStepsOffset() {
        assertThat(TimestepSpacing.LEADING.integerTimesteps(1000, 10, 1))
                .containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
    }

    @Test
    void trailingStartsAtTheLastTrainingStepAndIgnoresTheOffset() {
        assertThat(TimestepSpacing.TRAILING.integerTimesteps(1000, 10, 1))
                .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
    }

    @Test
    void linspaceRoundsEvenlySpacedPointsAndIgnoresTheOffset() {
        assertThat(TimestepSpacing.LINSPACE.integerTimesteps(1000, 10, 1))
                .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
    }

    @Test
    void multistepLinspaceRoundsHalvesToEven() {
        // 499.5 rounds to 500, as numpy's round does
        assertThat(TimestepSpacing.LINSPACE.multistepTimesteps(1000, 10, 0))
                .containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100);
    }

    @Test
    void eulerKeepsFractionalLinspaceTimesteps() {
        assertThat(TimestepSpacing.LINSPACE.fractionalTimesteps(1100, 10, 0)).containsExactly(1099f, 976.888916f,
                854.777771f, 732.666687f, 610.555542f, 488.444458f, 366.333344f, 244.222229f, 122.111115f, 0f);
    }
}
