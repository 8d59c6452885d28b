package io.genway.diffusion.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {
    private static final String INDEX = """
            {"metadata": {"total_size": 24},
             "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                            "b.weight": "model-00002-of-00002.safetensors",
                            "c.bias": "model-00002-of-00002.safetensors"}}
            """;

    @TempDir
    Path dir;

    @Test
    void presentsAllShardsAsOneStore() throws IOException {
        Path index = writeShards(INDEX);

        try (TensorStore store = Safetensors.open(index)) {
            assertThat(store).isInstanceOf(ShardedSafetensors.class);
            assertThat(store.tensors().keySet()).containsExactly("a.weight", "b.weight", "c.bias");
            assertThat(store.floats("a.weight")).containsExactly(1f, 2f);
            assertThat(store.floats("b.weight")).containsExactly(3f, 4f, 5f);
            assertThat(store.floats("c.bias")).containsExactly(6f);
            assertThat(store.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void opensASingleFileByItsName() throws IOException {
        writeShards(INDEX);

        try (TensorStore store = Safetensors.open(dir.resolve("model-00001-of-00002.safetensors"))) {
            assertThat(store).isInstanceOf(SafetensorsFile.class);
            assertThat(store.tensors().keySet()).containsExactly("a.weight");
        }
    }

    @Test
    void reportsATensorOutsideTheWeightMapWithTheIndexName() throws IOException {
        Path index = writeShards(INDEX);

        try (TensorStore store = Safetensors.open(index)) {
            assertThatThrownBy(() -> store.floats("d.weight"))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessage(index + ": tensor d.weight is missing from weight_map");
        }
    }

    @Test
    void failsAtOpenWhenAShardIsMissing() throws IOException {
        Path index = writeShards(INDEX.replace("model-00002-of-00002", "model-00003-of-00003"));

        assertThatThrownBy(() -> Safetensors.open(index))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("shard model-00003-of-00003.safetensors named in weight_map is missing");
    }

    @Test
    void failsAtOpenWhenTheIndexPlacesATensorInTheWrongShard() throws IOException {
        Path index = writeShards(INDEX.replace("\"b.weight\": \"model-00002", "\"b.weight\": \"model-00001"));

        assertThatThrownBy(() -> Safetensors.open(index))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor b.weight is missing from shard model-00001-of-00002.safetensors");
    }

    @Test
    void refusesAShardPathOutsideTheFolder() throws IOException {
        Path index = writeShards(INDEX.replace("\"c.bias\": \"model-00002-of-00002.safetensors\"",
                "\"c.bias\": \"../elsewhere.safetensors\""));

        assertThatThrownBy(() -> Safetensors.open(index))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("weight_map.c.bias must be a file name");
    }

    @Test
    void refusesAnIndexWithoutWeightMap() throws IOException {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\": {}}");

        assertThatThrownBy(() -> Safetensors.open(index))
                .isInstanceOf(SafetensorsException.class)
                .hasMessage(index + ": weight_map is missing");
    }

    private Path writeShards(String indexJson) throws IOException {
        new SafetensorsWriter().add("a.weight", Dtype.F32, new long[] {2}, new float[] {1, 2})
                .metadata("format", "pt").write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().add("b.weight", Dtype.F16, new long[] {3}, new float[] {3, 4, 5})
                .add("c.bias", Dtype.BF16, new long[] {1}, new float[] {6})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, indexJson);
        return index;
    }
}
