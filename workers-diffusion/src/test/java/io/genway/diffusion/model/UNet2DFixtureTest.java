package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.diffusion.safetensors.TensorStore;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DFixtureTest {
    @TempDir
    Path dir;

    @Test
    void writesAFolderWhoseWeightsMatchItsConfig() throws IOException {
        DiffusersFolder folder = DiffusersFolder.open(UNet2DFixture.write(dir));

        try (TensorStore weights = folder.weights("unet")) {
            UNet2DWeights.check(weights, folder.unet2D("unet"));
            assertThat(weights.tensors()).hasSize(208);
        }
    }

    @Test
    void fillsTensorsByTheirSortedIndexAndLiftsNormScalesByOne() throws IOException {
        DiffusersFolder folder = DiffusersFolder.open(UNet2DFixture.write(dir));

        try (TensorStore weights = folder.weights("unet")) {
            // sorted: conv_in.bias (k = 0), conv_in.weight, conv_norm_out.bias, conv_norm_out.weight (k = 3)
            assertThat(weights.tensors().firstEntry().getKey()).isEqualTo("conv_in.bias");
            assertThat(weights.floats("conv_in.bias")[1]).isEqualTo((float) (0.05 * Math.sin(0.1)));
            assertThat(weights.floats("conv_norm_out.weight")[0]).isEqualTo((float) (0.05 * Math.sin(3) + 1));
        }
    }

    @Test
    void laysTheInputOutChannelMajor() {
        float[] x = UNet2DFixture.input();

        assertThat(x).hasSize(3 * 16 * 16);
        assertThat(x[(2 * 16 + 15) * 16 + 12]).isEqualTo((float) Math.sin(0.01 * ((2 * 16 + 15) * 16 + 12)));
    }
}
