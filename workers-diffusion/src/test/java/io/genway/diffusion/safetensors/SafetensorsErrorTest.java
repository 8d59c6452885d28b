package io.genway.diffusion.safetensors;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsErrorTest {
    @TempDir
    Path dir;

    @Test
    void rejectsAFileShorterThanTheHeaderLength() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Files.write(file, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    }

    @Test
    void rejectsAHeaderLongerThanTheFile() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {4}, new float[4]).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, 20));

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("truncated");
    }

    @Test
    void rejectsATruncatedDataSectionNamingTheTensor() throws IOException {
        Path file = dir.resolve("short.safetensors");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {4}, new float[4]).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 1));

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("out of range");
    }

    @Test
    void rejectsHeaderJsonThatDoesNotParse() throws IOException {
        Path file = SafetensorsFixtures.raw(dir, "{\"w\": {", new byte[0]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not valid UTF-8 JSON");
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() throws IOException {
        Path file = SafetensorsFixtures.raw(dir, "{\"\u00e9\": 1}", new byte[0]);
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] = (byte) 0xFF;
        Files.write(file, bytes);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("not valid UTF-8 JSON");
    }

    @Test
    void rejectsATensorNamedTwiceInTheHeader() throws IOException {
        String entry = "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Path file = SafetensorsFixtures.raw(dir, "{" + entry + "," + entry + "}", new byte[4]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("Duplicate field 'w'");
    }

    @Test
    void rejectsAnUnknownDtypeNamingTheTensor() throws IOException {
        Path file = SafetensorsFixtures.raw(dir,
                "{\"w\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", new byte[16]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("unknown dtype F128");
    }

    @Test
    void rejectsOffsetsBeyondTheDataSection() throws IOException {
        Path file = SafetensorsFixtures.raw(dir,
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[8]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("[4, 12]").hasMessageContaining("out of range");
    }

    @Test
    void rejectsOffsetsThatDisagreeWithShapeAndDtype() throws IOException {
        Path file = SafetensorsFixtures.raw(dir,
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("span 8 bytes but shape and dtype need 6");
    }

    @Test
    void rejectsOverlappingTensorsNamingBoth() throws IOException {
        Path file = SafetensorsFixtures.raw(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensors a and b overlap");
    }

    @Test
    void rejectsANegativeOrFractionalShape() throws IOException {
        Path file = SafetensorsFixtures.raw(dir,
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("shape");
    }

    @Test
    void rejectsANonStringMetadataValueNamingTheKey() throws IOException {
        Path file = SafetensorsFixtures.raw(dir, "{\"__metadata__\":{\"epoch\":3}}", new byte[0]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("__metadata__.epoch");
    }

    @Test
    void reportsAMissingTensorWithTheFileName() throws IOException {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {1}, new float[1]).write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> store.floats("conv_in.weight"))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessage(file + ": tensor conv_in.weight is missing");
        }
    }

    @Test
    void writerRefusesValuesThatDoNotFillTheShape() {
        assertThatThrownBy(() -> new SafetensorsWriter().add("w", Dtype.F32, new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("values must hold 4 elements for tensor w");
    }
}
