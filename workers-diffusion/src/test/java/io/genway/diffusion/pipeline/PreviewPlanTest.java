package io.genway.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PreviewPlanTest {

    private static int[] stepsWithPreview(int steps, int count) {
        PreviewPlan plan = new PreviewPlan(steps, count);
        return IntStream.rangeClosed(1, steps).filter(plan::includes).toArray();
    }

    @Test
    void spreadsPreviewsEvenlyOverTheSteps() {
        assertThat(stepsWithPreview(50, 2)).containsExactly(17, 33); // 50/3 = 16.7, 100/3 = 33.3
        assertThat(stepsWithPreview(30, 3)).containsExactly(8, 15, 23); // 7.5 rounds up, 22.5 too
        assertThat(stepsWithPreview(10, 1)).containsExactly(5);
    }

    @Test
    void neverPreviewsTheLastStepWhenThereAreStepsEnough() {
        for (int count = 1; count <= 3; count++) {
            for (int steps = count + 1; steps <= 60; steps++) {
                assertThat(stepsWithPreview(steps, count)).as("%d previews over %d steps", count, steps)
                        .hasSize(count).doesNotContain(steps);
            }
        }
    }

    @Test
    void aRunShorterThanItsPreviewsGetsOnePerStepAtMost() {
        assertThat(stepsWithPreview(2, 3)).containsExactly(1, 2);
        assertThat(stepsWithPreview(1, 2)).containsExactly(1);
    }

    @Test
    void noPreviewsUnlessAsked() {
        assertThat(stepsWithPreview(20, 0)).isEmpty();
    }
}
