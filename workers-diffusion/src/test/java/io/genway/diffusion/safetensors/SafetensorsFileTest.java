package io.genway.diffusion.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsF32TensorsExactly() throws IOException {
        float[] values = {1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 3.1415927f};
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("w", Dtype.F32, new long[] {2, 3}, values).write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.floats("w")).containsExactly(values);
            assertThat(store.info("w").shape()).containsExactly(2, 3);
            assertThat(store.info("w").dtype()).isEqualTo(Dtype.F32);
        }
    }

    @Test
    void roundTripsF16ThroughHalfPrecision() throws IOException {
        float[] values = {0.1f, -2.5f, 65504f, 1e-7f};
        Path file = dir.resolve("half.safetensors");
        new SafetensorsWriter().add("h", Dtype.F16, new long[] {4}, values).write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            float[] read = store.floats("h");
            for (int i = 0; i < values.length; i++) {
                assertThat(read[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(values[i])));
            }
            assertThat(read[1]).isEqualTo(-2.5f);
            assertThat(store.info("h").byteSize()).isEqualTo(8);
        }
    }

    @Test
    void roundTripsBf16RoundingToNearestEven() throws IOException {
        // 1 + 2^-8 lies exactly halfway between two bfloat16 values; ties go to the even one, 1.0
        float[] values = {1f + 0x1p-8f, 1f + 0x1p-7f + 0x1p-8f, -3.0f, Float.NaN};
        Path file = dir.resolve("brain.safetensors");
        new SafetensorsWriter().add("b", Dtype.BF16, new long[] {2, 2}, values).write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.floats("b")).containsExactly(1f, 1f + 0x1p-6f, -3.0f, Float.NaN);
        }
    }

    @Test
    void keepsMetadataAndScalarAndEmptyTensors() throws IOException {
        Path file = dir.resolve("meta.safetensors");
        new SafetensorsWriter()
                .add("scalar", Dtype.F32, new long[] {}, new float[] {7f})
                .add("empty", Dtype.F32, new long[] {0, 4}, new float[] {})
                .metadata(Map.of("format", "pt", "note", "é"))
                .write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("format", "pt", "note", "é"));
            assertThat(store.floats("scalar")).containsExactly(7f);
            assertThat(store.floats("empty")).isEmpty();
            assertThat(store.tensors().keySet()).containsExactly("empty", "scalar");
        }
    }

    @Test
    void writesTheSameBytesWhateverTheInsertionOrder() throws IOException {
        Path first = dir.resolve("a.safetensors");
        Path second = dir.resolve("b.safetensors");
        new SafetensorsWriter().add("x", Dtype.F32, new long[] {1}, new float[] {1})
                .add("a", Dtype.F16, new long[] {1}, new float[] {2}).metadata("k", "v").write(first);
        new SafetensorsWriter().metadata("k", "v").add("a", Dtype.F16, new long[] {1}, new float[] {2})
                .add("x", Dtype.F32, new long[] {1}, new float[] {1}).write(second);

        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
    }

    @Test
    void padsTheHeaderWithSpacesToAMultipleOfEight() throws IOException {
        Path file = dir.resolve("pad.safetensors");
        new SafetensorsWriter().add("odd", Dtype.F32, new long[] {1}, new float[] {1}).write(file);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(headerLength % 8).isZero();
        assertThat(header).startsWith("{").matches("(?s)\\{.*\\} *");
        assertThat(bytes.length).isEqualTo(8 + headerLength + 4);
    }

    @Test
    void alignsEachTensorToItsElementWidth() throws IOException {
        Path file = dir.resolve("mixed.safetensors");
        new SafetensorsWriter()
                .add("a.half", Dtype.F16, new long[] {3}, new float[3])
                .add("b.full", Dtype.F32, new long[] {1}, new float[1])
                .add("c.brain", Dtype.BF16, new long[] {1}, new float[1])
                .write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.info("b.full").begin()).isZero();
            assertThat(store.info("a.half").begin()).isEqualTo(4);
            assertThat(store.info("c.brain").begin()).isEqualTo(10);
        }
    }

    @Test
    void exposesTensorBytesAsAMappedSegmentAndRawBytes() throws IOException {
        Path file = dir.resolve("raw.safetensors");
        new SafetensorsWriter().add("one", Dtype.F32, new long[] {1}, new float[] {1f}).write(file);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.data("one").isMapped()).isTrue();
            assertThat(store.data("one").isReadOnly()).isTrue();
            assertThat(store.bytes("one")).containsExactly(0, 0, (byte) 0x80, 0x3F);
            assertThat(store.data("one").toArray(ValueLayout.JAVA_BYTE)).isEqualTo(store.bytes("one"));
        }
    }

    @Test
    void readsOtherDtypesAsRawBytesOnly() throws IOException {
        Path file = SafetensorsFixtures.raw(dir, "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}",
                new byte[16]);

        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            assertThat(store.bytes("ids")).hasSize(16);
            assertThatThrownBy(() -> store.floats("ids"))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("ids").hasMessageContaining("I64");
        }
    }
}
