package io.genway.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatentRgbTest {

    @Test
    void mapsEachLatentChannelToItsPublishedRgbFactors() {
        // Two positions (1 x 2): the first is latent channel 0 alone, the second minus channel 3 alone. The expected
        // values are the rows of keturn's SD v1.4 table (discuss.huggingface.co/t/23204): L1 and -L4.
        float[] latent = {
                1, 0,  // channel 0
                0, 0,  // channel 1
                0, 0,  // channel 2
                0, -1, // channel 3
        };
        float[] rgb = LatentRgb.STABLE_DIFFUSION.apply(latent, 4, 1, 2);
        assertThat(rgb).containsExactly(new float[] {
                0.298f, 0.184f, // R
                0.207f, 0.271f, // G
                0.208f, 0.473f, // B
        }, within(1e-6f));
    }

    @Test
    void addsTheChannelsUp() {
        float[] latent = {0.5f, 2f, -1f, 0.25f};
        float[] rgb = LatentRgb.STABLE_DIFFUSION.apply(latent, 4, 1, 1);
        assertThat(rgb[0]).isCloseTo(0.5f * 0.298f + 2 * 0.187f + 0.158f - 0.25f * 0.184f, within(1e-6f));
        assertThat(rgb[1]).isCloseTo(0.5f * 0.207f + 2 * 0.286f - 0.189f - 0.25f * 0.271f, within(1e-6f));
        assertThat(rgb[2]).isCloseTo(0.5f * 0.208f + 2 * 0.173f - 0.264f - 0.25f * 0.473f, within(1e-6f));
    }

    @Test
    void rejectsASampleOfOtherChannelsNamingThem() {
        assertThatThrownBy(() -> LatentRgb.STABLE_DIFFUSION.apply(new float[8], 8, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8");
    }
}
