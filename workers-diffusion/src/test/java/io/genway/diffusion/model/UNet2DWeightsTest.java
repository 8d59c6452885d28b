package io.genway.diffusion.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.diffusion.safetensors.Dtype;
import io.genway.diffusion.safetensors.SafetensorsException;
import io.genway.diffusion.safetensors.SafetensorsFile;
import io.genway.diffusion.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DWeightsTest {
    @TempDir
    Path dir;

    @Test
    void listsTheFixturesStateDictInDiffusersOrder() throws IOException {
        SequencedMap<String, long[]> expected = fixtureTensors();

        SequencedMap<String, long[]> shapes = UNet2DWeights.shapes(fixtureConfig());

        assertThat(shapes.keySet()).containsExactlyElementsOf(expected.keySet());
        shapes.forEach((name, shape) -> assertThat(shape).as(name).containsExactly(expected.get(name)));
    }

    @Test
    void countsTheFixturesParameters() {
        long parameters = UNet2DWeights.shapes(fixtureConfig()).values().stream()
                .mapToLong(shape -> Arrays.stream(shape).reduce(1, Math::multiplyExact)).sum();

        assertThat(parameters).isEqualTo(1_002_883);
    }

    @Test
    void acceptsACheckpointWrittenToTheLayout() throws IOException {
        Path file = writeCheckpoint(UnaryOperator.identity());

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            UNet2DWeights.check(store, fixtureConfig());
        }
    }

    @Test
    void reportsATensorOfTheWrongShapeNamingFileAndTensor() throws IOException {
        Path file = writeCheckpoint(shapes -> {
            shapes.put("conv_out.bias", new long[] {4});
            return shapes;
        });

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> UNet2DWeights.check(store, fixtureConfig()))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessage(file + ": tensor conv_out.bias has shape [4] but the config needs [3]");
        }
    }

    @Test
    void reportsAMissingTensorNamingFileAndTensor() throws IOException {
        Path file = writeCheckpoint(shapes -> {
            shapes.remove("mid_block.attentions.0.to_k.bias");
            return shapes;
        });

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> UNet2DWeights.check(store, fixtureConfig()))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessage(file + ": tensor mid_block.attentions.0.to_k.bias is missing");
        }
    }

    @Test
    void leavesOutTheMidAttentionWhenTheConfigTurnsItOff() {
        UNet2DConfig config = UNet2DConfig.read(ConfigFolders.write(dir, "unet/config.json",
                UNet2DConfigTest.FIXTURE.replace("\"add_attention\": true", "\"add_attention\": false")));

        assertThat(UNet2DWeights.shapes(config).keySet()).noneMatch(name -> name.startsWith("mid_block.attentions"));
    }

    private UNet2DConfig fixtureConfig() {
        return UNet2DConfig.read(ConfigFolders.write(dir, "unet/config.json", UNet2DConfigTest.FIXTURE));
    }

    private Path writeCheckpoint(UnaryOperator<SequencedMap<String, long[]>> edit) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, long[]> entry : edit.apply(UNet2DWeights.shapes(fixtureConfig())).entrySet()) {
            long count = Arrays.stream(entry.getValue()).reduce(1, Math::multiplyExact);
            writer.add(entry.getKey(), Dtype.F16, entry.getValue(), new float[(int) count]);
        }
        Path file = dir.resolve("unet/diffusion_pytorch_model.safetensors");
        writer.write(file);
        return file;
    }

    /** The tensor list of shared/reference/unet2d-fixture.md: {@code name (d0, d1, ...)} per line. */
    private static SequencedMap<String, long[]> fixtureTensors() throws IOException {
        SequencedMap<String, long[]> out = new LinkedHashMap<>();
        try (InputStream in = UNet2DWeightsTest.class.getResourceAsStream("unet2d-fixture-tensors.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String name = line.substring(0, line.indexOf(' '));
                String dims = line.substring(line.indexOf('(') + 1, line.indexOf(')'));
                out.put(name, Arrays.stream(dims.split(",")).map(String::strip).filter(d -> !d.isEmpty())
                        .mapToLong(Long::parseLong).toArray());
            }
        }
        return out;
    }
}
