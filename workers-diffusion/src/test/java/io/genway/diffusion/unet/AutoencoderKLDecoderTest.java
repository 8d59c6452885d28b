package io.genway.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.model.AutoencoderKLConfig;
import io.genway.diffusion.model.AutoencoderKLWeights;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.nn.FeatureMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VAE decoder against reference/unet_torch.py's AutoencoderKL decoder on a two-level formula model. */
class AutoencoderKLDecoderTest {
    @TempDir
    Path dir;

    @Test
    void decodesLatentsAsPyTorchDoes() throws IOException {
        JsonNode testCase = FormulaFolder.testCase("vae-decoder");
        Path configFile = Files.createDirectories(dir.resolve("config")).resolve("config.json");
        Files.writeString(configFile, testCase.get("config").toString());
        var shapes = AutoencoderKLWeights.shapes(AutoencoderKLConfig.read(configFile));
        DiffusersFolder folder = FormulaFolder.write(dir.resolve("model"), "vae", testCase.get("config"), shapes,
                testCase.get("amplitude").asDouble(),
                name -> name.startsWith("decoder.") || name.startsWith("post_quant_conv."));
        AutoencoderKLDecoder decoder = AutoencoderKLDecoder.load(folder);
        int batch = testCase.get("batch").asInt();
        int size = testCase.get("size").asInt();

        FeatureMap image = decoder.decode(new FeatureMap(batch, 4, size, size,
                FormulaFolder.pattern(batch * 4 * size * size, Math::sin, 0.03)));

        assertThat(decoder.upscale()).isEqualTo(2);
        ExpectedOutput.assertMatches(image, testCase.get("output"), 1e-4);
    }
}
