package io.genway.diffusion.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TorchGeneratorTest {
    @Test
    void reproducesTorchRandnForSeedZeroOverTheDummySample() {
        // diffusers-schedulers.md §7: torch.manual_seed(0); torch.randn(768)[:4]
        float[] noise = TorchGenerator.seeded(0).randn(768);

        assertThat(noise[0]).isCloseTo(-1.1258398f, within(3e-7f));
        assertThat(noise[1]).isCloseTo(-1.1523602f, within(3e-7f));
        assertThat(noise[2]).isCloseTo(-0.25057858f, within(3e-7f));
        assertThat(noise[3]).isCloseTo(-0.4338788f, within(3e-7f));
    }

    @Test
    void reproducesTheFourByFourTorchPrintsForSeedZero() {
        // torch.manual_seed(0); torch.randn(4, 4), as torch prints it (4 decimals): one block of 16.
        float[] expected = {
            -1.1258f, -1.1524f, -0.2506f, -0.4339f, 0.8487f, 0.6920f, -0.3160f, -2.1152f,
            0.3223f, -1.2633f, 0.3500f, 0.3081f, 0.1198f, 1.2377f, 1.1168f, -0.2473f};

        assertThat(TorchGenerator.seeded(0).randn(16)).containsExactly(expected, within(5e-5f));
    }

    @Test
    void takesTheScalarPathBelowSixteenElements() {
        // torch.manual_seed(0); torch.randn(2, 3), as torch prints it.
        float[] expected = {1.5410f, -0.2934f, -2.1788f, 0.5684f, -1.0845f, -1.3986f};

        assertThat(TorchGenerator.seeded(0).randn(6)).containsExactly(expected, within(5e-5f));
    }

    @Test
    void handsTheCachedSecondNormalToTheNextSmallDraw() {
        float[] pair = TorchGenerator.seeded(7).randn(2);
        TorchGenerator generator = TorchGenerator.seeded(7);

        float first = generator.randn(1)[0];
        float second = generator.randn(1)[0];

        assertThat(new float[] {first, second}).containsExactly(pair);
    }

    @Test
    void forgetsTheCachedNormalOnReseeding() {
        TorchGenerator generator = TorchGenerator.seeded(0);
        generator.randn(1);

        generator.manualSeed(0);

        assertThat(generator.randn(1)[0]).isEqualTo(TorchGenerator.seeded(0).randn(1)[0]);
    }

    @Test
    void redrawsTheLastSixteenWhenTheSizeIsNotAMultipleOfSixteen() {
        float[] block = TorchGenerator.seeded(3).randn(16);
        float[] withTail = TorchGenerator.seeded(3).randn(20);

        // The first block is transformed before the tail overwrites elements 4..19 with fresh normals.
        assertThat(Arrays.copyOf(withTail, 4)).containsExactly(Arrays.copyOf(block, 4));
        assertThat(withTail[4]).isNotEqualTo(block[4]);
    }

    @Test
    void continuesTheStreamAcrossCalls() {
        TorchGenerator generator = TorchGenerator.seeded(0);
        float[] first = generator.randn(768);
        float[] second = generator.randn(768);

        assertThat(second).isNotEqualTo(first);
        assertThat(second).isEqualTo(skipThenDraw(768));
    }

    @Test
    void drawsStandardNormals() {
        float[] noise = TorchGenerator.seeded(42).randn(64_000);
        double mean = 0;
        double square = 0;
        for (float x : noise) {
            mean += x;
            square += x * x;
        }
        mean /= noise.length;
        double variance = square / noise.length - mean * mean;

        assertThat(mean).isCloseTo(0, within(0.02));
        assertThat(variance).isCloseTo(1, within(0.02));
    }

    @Test
    void rejectsANegativeCount() {
        assertThatThrownBy(() -> TorchGenerator.seeded(0).randn(-1)).hasMessageContaining("count");
    }

    /** The second draw of 768 consumes uniforms 768..1535: the same as the tail of one draw of 1536. */
    private static float[] skipThenDraw(int n) {
        return Arrays.copyOfRange(TorchGenerator.seeded(0).randn(2 * n), n, 2 * n);
    }
}
