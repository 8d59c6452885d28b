package io.genway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genway.diffusion.clip.ClipTextModel;
import io.genway.diffusion.model.ClipTextConfig;
import io.genway.diffusion.model.DiffusersFolder;
import io.genway.diffusion.pipeline.Denoiser;
import io.genway.diffusion.pipeline.LatentDecoder;
import io.genway.diffusion.pipeline.ModelParts;
import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code genway imagine}: its error paths through the launcher, and one render with stand-in UNet parts. */
class ImagineTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Genway(Map.of(), dir, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aFolderWithoutModelIndexFailsWithOneLine() {
        int status = run("imagine", "--model", dir.resolve("nowhere").toString(), "--prompt", "a cat", "--out",
                dir.resolve("cat.png").toString());

        assertThat(status).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(errLines()).singleElement().asString()
                .startsWith("genway imagine: cannot run model " + dir.resolve("nowhere"))
                .contains("model_index.json: file is missing");
    }

    @Test
    void aModelWhoseUNetHasNoWeightsSaysSoInOneLine() throws IOException {
        Path model = TinyModel.write(dir.resolve("tiny"));
        int status = run("imagine", "--model", model.toString(), "--prompt", "a cat", "--out", dir.resolve("cat.png").toString());

        assertThat(status).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(errLines()).singleElement().asString()
                .contains("unet").contains("no safetensors weights");
        assertThat(dir.resolve("cat.png")).doesNotExist();
    }

    @Test
    void optionsOutOfRangeNameTheirFlag() {
        String model = dir.toString();
        String png = dir.resolve("x.png").toString();
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", png, "--size", "512")).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", png, "--size", "100x100")).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", png, "--steps", "0")).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", png, "--sampler", "plms")).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", png, "--guidance", "-1")).isEqualTo(Genway.CONFIG_ERROR);
        assertThat(run("imagine", "--model", model, "--prompt", "a", "--out", dir.resolve("no/x.png").toString()))
                .isEqualTo(Genway.CONFIG_ERROR);
        assertThat(errLines()).containsExactly(
                "genway imagine: --size must be WxH in pixels, e.g. 512x512, was '512'",
                "genway imagine: --size sides must be multiples of 8 in [8, 2048], was 100x100",
                "genway imagine: --steps must be in [1, 500], was 0",
                "genway imagine: --sampler: unknown sampler \"plms\" (known: [ddim, ddpm, euler, euler_a, dpmpp_2m, dpmpp_2m_karras])",
                "genway imagine: --guidance must be in [0, 50], was -1.0",
                "genway imagine: --out: no such folder " + dir.resolve("no"));
    }

    @Test
    void rendersAPngWithItsParametersAndAProgressBar() throws IOException {
        Path model = TinyModel.write(dir.resolve("tiny"));
        ModelParts parts = new ModelParts() {
            @Override
            public Denoiser denoiser(DiffusersFolder folder) {
                return new Denoiser() {
                    @Override
                    public int channels() {
                        return 3;
                    }

                    @Override
                    public float[] predict(float[] sample, int rows, int height, int width, float[] timesteps,
                                           float[] context, int tokens) {
                        float[] noise = sample.clone();
                        for (int i = 0; i < noise.length; i++) noise[i] *= 0.5f;
                        return noise;
                    }
                };
            }

            @Override
            public LatentDecoder vaeDecoder(DiffusersFolder folder) {
                throw new AssertionError("no vae");
            }
        };
        CommandLine command = new CommandLine(new Imagine(parts));
        command.setErr(new PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        Path png = dir.resolve("out.png");
        int status = command.execute("--model", model.toString(), "--prompt", "a red circle", "--steps", "4",
                "--seed", "42", "--size", "16x24", "--sampler", "euler", "--out", png.toString());

        assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(16);
        assertThat(image.getHeight()).isEqualTo(24);
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("\r[##############################]   4/4")
                .contains("16x24, 4 steps (euler), guidance 7.5, seed 42");
    }

    /**
     * A pixel-space model folder: a byte-level CLIP vocabulary without merges, a one-layer text encoder with small
     * formula weights, a UNet config and an Euler scheduler. Its UNet has no weights: tests bring the denoiser.
     */
    static final class TinyModel {
        static Path write(Path root) throws IOException {
            Files.createDirectories(root.resolve("tokenizer"));
            Files.createDirectories(root.resolve("text_encoder"));
            Files.createDirectories(root.resolve("unet"));
            Files.createDirectories(root.resolve("scheduler"));
            Files.writeString(root.resolve("model_index.json"), """
                    {"_class_name": "StableDiffusionPipeline", "tokenizer": ["transformers", "CLIPTokenizer"],
                     "text_encoder": ["transformers", "CLIPTextModel"], "unet": ["diffusers", "UNet2DConditionModel"],
                     "scheduler": ["diffusers", "EulerDiscreteScheduler"]}
                    """);
            ObjectMapper json = new ObjectMapper();
            ObjectNode vocab = json.createObjectNode();
            int id = 0;
            for (int b = 0; b < 256; b++) vocab.put(byteChar(b), id++);
            for (int b = 0; b < 256; b++) vocab.put(byteChar(b) + "</w>", id++);
            vocab.put("<|startoftext|>", id++);
            vocab.put("<|endoftext|>", id++);
            Files.writeString(root.resolve("tokenizer/vocab.json"), vocab.toString());
            Files.writeString(root.resolve("tokenizer/merges.txt"), "#version: 0.2\n");
            Files.writeString(root.resolve("tokenizer/tokenizer_config.json"), "{\"model_max_length\": 77}");
            Files.writeString(root.resolve("text_encoder/config.json"), """
                    {"architectures": ["CLIPTextModel"], "vocab_size": %d, "hidden_size": 8, "intermediate_size": 16,
                     "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 77}
                    """.formatted(id));
            ClipTextConfig config = ClipTextConfig.read(root.resolve("text_encoder/config.json"));
            SafetensorsWriter weights = new SafetensorsWriter();
            int k = 0;
            for (Map.Entry<String, long[]> tensor : ClipTextModel.shapes(config).entrySet()) {
                float[] values = new float[(int) Arrays.stream(tensor.getValue()).reduce(1, (a, b) -> a * b)];
                for (int i = 0; i < values.length; i++) values[i] = (float) (0.05 * Math.sin(0.1 * i + k));
                weights.add(ClipTextModel.PREFIX + tensor.getKey(), Dtype.F32, tensor.getValue(), values);
                k++;
            }
            weights.write(root.resolve("text_encoder/model.safetensors"));
            Files.writeString(root.resolve("unet/config.json"), """
                    {"_class_name": "UNet2DConditionModel", "in_channels": 3, "out_channels": 3, "sample_size": 32,
                     "block_out_channels": [32, 64], "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                     "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"], "cross_attention_dim": 8,
                     "norm_num_groups": 8, "attention_head_dim": 2, "layers_per_block": 1}
                    """);
            Files.writeString(root.resolve("scheduler/scheduler_config.json"), """
                    {"_class_name": "EulerDiscreteScheduler", "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                     "beta_end": 0.012, "num_train_timesteps": 1000, "steps_offset": 1}
                    """);
            return root;
        }

        /** GPT-2's byte alphabet: printable Latin-1 bytes stand for themselves, the rest from U+0100 up. */
        private static String byteChar(int b) {
            int next = 256;
            for (int c = 0; c < b; c++) {
                if (!printable(c)) next++;
            }
            return Character.toString(printable(b) ? b : next);
        }

        private static boolean printable(int b) {
            return (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        }
    }
}
