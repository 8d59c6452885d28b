package io.genway.diffusion.pipeline;

import static io.genway.diffusion.DiffusersFixtures.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.diffusion.DiffusersFixtures;
import io.genway.diffusion.DiffusersFixtures.Tensor;
import io.genway.diffusion.clip.ClipTextModel;
import io.genway.diffusion.clip.ClipTokenizer;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.safetensors.TensorStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole text-to-image renders against diffusers' {@code StableDiffusionPipeline} on CPU
 * (reference/make_diffusers_fixtures.py): the same tiny folder, prompt, negative prompt, seed
 * ({@code generator=torch.Generator().manual_seed(seed)}), steps, guidance and scheduler must give the same image.
 *
 * <p>How images are compared: diffusers' {@code output_type="np"} image x in [0, 1] is turned into 8-bit values as
 * its own {@code numpy_to_pil} does, {@code round(255 x)}; every channel value of genway's image must be within 1 of
 * it, and at least 99% must be equal. A float32 render in another summation order lands within a few 1e-5 of
 * diffusers' x, so a value differs only where 255 x sits that close to a rounding boundary (a handful of the 3072);
 * a wrong noise draw, timestep, sigma, guidance or scale moves most pixels by many levels.
 */
class DiffusersPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ImageModel model;
    private static Map<String, Tensor> expected;

    @BeforeAll
    static void load() throws IOException {
        model = ImageModel.load(DiffusersFixtures.folder("tiny-sd"), ModelParts.NATIVE);
        expected = DiffusersFixtures.expected("pipeline");
    }

    static Stream<JsonNode> cases() throws IOException {
        JsonNode root = JSON.readTree(DiffusersFixtures.folder("expected").resolve("pipeline.json").toFile());
        return Stream.iterate(0, i -> i < root.get("cases").size(), i -> i + 1).map(i -> root.get("cases").get(i));
    }

    @Test
    void encodesPromptsAsTheDiffusersPipelineDoes() throws IOException {
        Path root = DiffusersFixtures.folder("tiny-sd");
        DiffusersFolder folder = DiffusersFolder.open(root);
        ClipPromptEncoder encoder;
        try (TensorStore weights = folder.weights("text_encoder")) {
            encoder = new ClipPromptEncoder(ClipTokenizer.read(root.resolve("tokenizer")),
                    ClipTextModel.load(folder.clipText("text_encoder"), weights));
        }
        JsonNode first = cases().findFirst().orElseThrow();

        assertThat(maxAbsDifference(encoder.encode(first.get("prompt").asText()),
                expected.get("prompt_embeds").data())).as("prompt").isLessThan(1e-4);
        assertThat(maxAbsDifference(encoder.encode(first.get("negative_prompt").asText()),
                expected.get("negative_prompt_embeds").data())).as("negative prompt").isLessThan(1e-4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersTheImageDiffusersRendersForTheSameSeed(JsonNode testCase) {
        ImageRequest request = new ImageRequest(testCase.get("prompt").asText(),
                testCase.get("negative_prompt").asText(), testCase.get("seed").asLong(), testCase.get("steps").asInt(),
                Sampler.named(testCase.get("sampler").asText()), testCase.get("guidance").asDouble(),
                testCase.get("width").asInt(), testCase.get("height").asInt());
        Tensor reference = expected.get(testCase.get("name").asText() + ".image");

        BufferedImage image = model.pipeline().render(List.of(request), TextToImage.Listener.NONE).getFirst()
                .orElseThrow().image();

        int height = reference.dim(1);
        int width = reference.dim(2);
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        int values = 0;
        int equal = 0;
        int worst = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = image.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    int actual = rgb >> (16 - 8 * c) & 0xff;
                    int wanted = (int) Math.rint(reference.data()[(y * width + x) * 3 + c] * 255.0);
                    worst = Math.max(worst, Math.abs(actual - wanted));
                    if (actual == wanted) equal++;
                    values++;
                }
            }
        }
        System.out.printf("%s: %d of %d 8-bit values equal diffusers', the others within %d%n",
                testCase.get("name").asText(), equal, values, worst);
        assertThat(worst).as("largest 8-bit difference from diffusers").isLessThanOrEqualTo(1);
        assertThat((double) equal / values).as("share of 8-bit values equal to diffusers'").isGreaterThanOrEqualTo(0.99);
    }
}
