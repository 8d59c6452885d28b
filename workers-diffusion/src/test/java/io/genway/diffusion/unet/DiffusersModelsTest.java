package io.genway.diffusion.unet;

import static io.genway.diffusion.DiffusersFixtures.maxAbs;
import static io.genway.diffusion.DiffusersFixtures.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import io.genway.diffusion.DiffusersFixtures;
import io.genway.diffusion.DiffusersFixtures.Tensor;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.nn.FeatureMap;
import io.genway.diffusion.nn.Tokens;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The UNets and the VAE decoder against diffusers' own forward passes (reference/make_diffusers_fixtures.py): tiny
 * random models saved by diffusers' save_pretrained as float16, loaded here by the engine's own loaders.
 *
 * <p>Tolerance: 1e-4 absolute on every element. The outputs are of order 1 (|y| up to about 1.5), so that is about
 * 1e-4 relative: float32 arithmetic in another summation order differs by a few 1e-6 after a forward pass this size,
 * while any wrong operation (a missing scale, a swapped order, another epsilon) moves elements by 1e-2 or more.
 */
class DiffusersModelsTest {
    private static final double TOLERANCE = 1e-4;

    private static FeatureMap map(Tensor t) {
        return new FeatureMap(t.dim(0), t.dim(1), t.dim(2), t.dim(3), t.data());
    }

    private static float[] predict(String folder, String expected) throws IOException {
        UNet2DConditionModel unet = UNet2DConditionModel.load(DiffusersFolder.open(DiffusersFixtures.folder(folder)));
        Map<String, Tensor> io = DiffusersFixtures.expected(expected);
        Tensor context = io.get("encoder_hidden_states");
        return unet.predict(map(io.get("sample")), io.get("timesteps").data(),
                new Tokens(context.dim(0), context.dim(1), context.dim(2), context.data())).data();
    }

    @Test
    void sd1ShapedUNetPredictsDiffusersNoise() throws IOException {
        float[] expected = DiffusersFixtures.expected("unet-sd1").get("noise_pred").data();

        float[] actual = predict("tiny-sd", "unet-sd1");

        assertClose("sd1", actual, expected);
    }

    @Test
    void sd2ShapedUNetPredictsDiffusersNoise() throws IOException {
        float[] expected = DiffusersFixtures.expected("unet-sd2").get("noise_pred").data();

        float[] actual = predict("tiny-sd2", "unet-sd2");

        assertClose("sd2", actual, expected);
    }

    /** 10x14 through three levels: 5x7, then 3x4; the up path resizes 3x4 to 5x7 and 5x7 to 10x14. */
    @Test
    void sd1ShapedUNetTakesSidesThatAreNotMultiplesOfItsDownsamplingAsDiffusersDoes() throws IOException {
        float[] expected = DiffusersFixtures.expected("unet-sd1-odd-size").get("noise_pred").data();

        float[] actual = predict("tiny-sd", "unet-sd1-odd-size");

        assertClose("sd1 at 10x14", actual, expected);
    }

    /** 6x9 through four levels: 3x5, 2x3, 1x2, and back up through 2x3, 3x5 and 6x9. */
    @Test
    void sd2ShapedUNetTakesSidesThatAreNotMultiplesOfItsDownsamplingAsDiffusersDoes() throws IOException {
        float[] expected = DiffusersFixtures.expected("unet-sd2-odd-size").get("noise_pred").data();

        float[] actual = predict("tiny-sd2", "unet-sd2-odd-size");

        assertClose("sd2 at 6x9", actual, expected);
    }

    @Test
    void vaeDecodesLatentsAsTheDiffusersPipelineDoes() throws IOException {
        AutoencoderKLDecoder vae = AutoencoderKLDecoder.load(DiffusersFolder.open(DiffusersFixtures.folder("tiny-sd")));
        Map<String, Tensor> io = DiffusersFixtures.expected("vae");
        float[] expected = io.get("image").data();

        FeatureMap image = vae.decode(map(io.get("latents")));

        assertThat(image.shape()).isEqualTo(map(io.get("image")).shape());
        assertClose("vae", image.data(), expected);
    }

    private static void assertClose(String name, float[] actual, float[] expected) {
        double difference = maxAbsDifference(actual, expected);
        System.out.printf("%s: max |genway - diffusers| %.2e, max |diffusers| %.3f%n", name, difference, maxAbs(expected));
        assertThat(maxAbs(expected)).as("a non-trivial reference").isGreaterThan(0.5);
        assertThat(difference).as("max |genway - diffusers|").isLessThan(TOLERANCE);
    }
}
