package io.genway.llm.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    @Test
    void readsTheHeaderOfStories260K() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            assertThat(file.version()).isEqualTo(3);
            assertThat(file.metadata().asMap()).hasSize(19);
            assertThat(file.tensorInfos()).hasSize(48);
            assertThat(file.alignment()).isEqualTo(32);
            assertThat(file.metadata().string("general.architecture")).isEqualTo("llama");
            assertThat(file.metadata().integer("llama.embedding_length")).isEqualTo(64);
            assertThat(file.metadata().integer("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(file.metadata().float32("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
            assertThat(file.metadata().longValue("tokenizer.ggml.seperator_token_id")).isEqualTo(0xFFFFFFFFL);
            assertThat(file.metadata().strings("tokenizer.ggml.tokens")).hasSize(512);
            assertThat(file.tensorInfos().values()).allSatisfy(t -> assertThat(t.type()).isEqualTo(GgmlType.F32));
            assertThat(file.tensorInfos().get("token_embd.weight").shape()).containsExactly(64, 512);
        }
    }

    @Test
    void roundTripsMetadataOfEveryType() throws IOException {
        GgufArray nested = new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                new GgufArray(GgufValueType.INT16, new short[] {1, -2}), new GgufArray(GgufValueType.STRING, new String[] {"a", "ü"})});
        GgufWriter writer = new GgufWriter()
                .put("u8", new GgufValue(GgufValueType.UINT8, (byte) 200))
                .put("i8", new GgufValue(GgufValueType.INT8, (byte) -3))
                .put("u16", new GgufValue(GgufValueType.UINT16, (short) 60000))
                .put("i16", new GgufValue(GgufValueType.INT16, (short) -300))
                .put("u32", GgufValue.ofUint32(0xFFFFFFFF))
                .put("i32", GgufValue.ofInt32(-70000))
                .put("u64", new GgufValue(GgufValueType.UINT64, 1L << 40))
                .put("i64", new GgufValue(GgufValueType.INT64, -(1L << 40)))
                .put("f32", GgufValue.ofFloat32(1.5f))
                .put("f64", new GgufValue(GgufValueType.FLOAT64, Math.PI))
                .put("bool", GgufValue.ofBool(true))
                .put("string", GgufValue.ofString("héllo ▁"))
                .putArray("bytes", GgufValueType.UINT8, new byte[] {1, 2, (byte) 255})
                .putArray("ints", GgufValueType.INT32, new int[] {1, -1})
                .putArray("longs", GgufValueType.UINT64, new long[] {7})
                .putArray("floats", GgufValueType.FLOAT32, new float[] {0.25f, -1f})
                .putArray("doubles", GgufValueType.FLOAT64, new double[] {1e300})
                .putArray("bools", GgufValueType.BOOL, new boolean[] {true, false})
                .putArray("strings", GgufValueType.STRING, new String[] {"x", ""})
                .put("nested", new GgufValue(GgufValueType.ARRAY, nested));
        Path path = dir.resolve("meta.gguf");
        writer.write(path);

        try (GgufFile file = GgufFile.open(path)) {
            GgufMetadata m = file.metadata();
            assertThat(m.asMap().keySet()).containsExactly("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64",
                    "bool", "string", "bytes", "ints", "longs", "floats", "doubles", "bools", "strings", "nested");
            assertThat(m.longValue("u8")).isEqualTo(200);
            assertThat(m.integer("i8")).isEqualTo(-3);
            assertThat(m.integer("u16")).isEqualTo(60000);
            assertThat(m.integer("i16")).isEqualTo(-300);
            assertThat(m.longValue("u32")).isEqualTo(0xFFFFFFFFL);
            assertThat(m.integer("i32")).isEqualTo(-70000);
            assertThat(m.longValue("u64")).isEqualTo(1L << 40);
            assertThat(m.longValue("i64")).isEqualTo(-(1L << 40));
            assertThat(m.float32("f32")).isEqualTo(1.5f);
            assertThat(m.get("f64").value()).isEqualTo(Math.PI);
            assertThat(m.bool("bool")).isTrue();
            assertThat(m.string("string")).isEqualTo("héllo ▁");
            assertThat(m.ints("ints")).containsExactly(1, -1);
            assertThat(m.floats("floats")).containsExactly(0.25f, -1f);
            assertThat(m.strings("strings")).containsExactly("x", "");
            assertThat(m.array("nested")).isEqualTo(nested);
            assertThat(m.asMap()).isEqualTo(writer.metadata());
        }
    }

    @Test
    void namesTheKeyWhenAValueIsOfAnotherType() throws IOException {
        Path path = dir.resolve("typed.gguf");
        new GgufWriter().putString("general.name", "x").write(path);

        try (GgufFile file = GgufFile.open(path)) {
            assertThatThrownBy(() -> file.metadata().integer("general.name")).hasMessageContaining("general.name");
            assertThatThrownBy(() -> file.metadata().string("general.missing")).hasMessageContaining("general.missing");
        }
    }

    @Test
    void roundTripsTensorsOfEveryWritableType() throws IOException {
        float[] values = new float[2 * 64];
        for (int i = 0; i < values.length; i++) values[i] = (float) Math.sin(i * 0.37) * (i % 7 + 1);
        Path path = dir.resolve("tensors.gguf");
        GgufWriter writer = new GgufWriter();
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            writer.addTensor("t." + type, type, new long[] {64, 2}, values);
        }
        writer.write(path);

        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.tensor("t.F32").toFloats()).containsExactly(values);
            assertClose(file.tensor("t.F16").toFloats(), values, 4e-3f);
            assertClose(file.tensor("t.BF16").toFloats(), values, 3e-2f);
            assertClose(file.tensor("t.Q8_0").toFloats(), values, 7f / 127);
            assertClose(file.tensor("t.Q4_0").toFloats(), values, 7f / 8);
            for (GgufTensorInfo info : file.tensorInfos().values()) {
                assertThat(info.offset() % 32).isZero();
            }
        }
    }

    @Test
    void dotsRowsOnTheStoredFormAsOnTheDequantizedOne() throws IOException {
        float[] values = new float[3 * 64];
        for (int i = 0; i < values.length; i++) values[i] = (float) Math.cos(i * 0.11) * 2;
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.5);
        Path path = dir.resolve("dot.gguf");
        GgufWriter writer = new GgufWriter();
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            writer.addTensor(type.name(), type, new long[] {64, 3}, values);
        }
        writer.write(path);

        try (GgufFile file = GgufFile.open(path)) {
            for (GgufTensorInfo info : file.tensorInfos().values()) {
                GgufTensor tensor = file.tensor(info.name());
                float[] row = new float[64];
                for (int r = 0; r < 3; r++) {
                    tensor.readRow(r, row);
                    float expected = 0;
                    for (int i = 0; i < 64; i++) expected += row[i] * x[i];
                    assertThat(tensor.dotRow(r, x)).as(info.name()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void quantizesQ4ZeroAsGgmlDoes() {
        float[] values = new float[32];
        for (int i = 0; i < 32; i++) values[i] = i - 16; // largest magnitude -16 gives d = 2
        byte[] block = QuantBlocks.quantize(GgmlType.Q4_0, values);

        assertThat(Float.float16ToFloat(ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getShort(0))).isEqualTo(2f);
        // element 0 is -16 -> nibble 0; element 16 is 0 -> nibble 8
        assertThat(block[2] & 0xFF).isEqualTo(0x80);
    }

    @Test
    void honoursTheAlignmentKey() throws IOException {
        Path path = dir.resolve("aligned.gguf");
        new GgufWriter().putUint32(GgufFile.ALIGNMENT_KEY, 64)
                .addTensor("a", GgmlType.F32, new long[] {3}, new float[] {1, 2, 3})
                .addTensor("b", GgmlType.F32, new long[] {2}, new float[] {4, 5})
                .write(path);

        try (GgufFile file = GgufFile.open(path)) {
            assertThat(file.alignment()).isEqualTo(64);
            assertThat(file.dataOffset() % 64).isZero();
            assertThat(file.tensorInfos().get("b").offset()).isEqualTo(64);
            assertThat(file.tensor("b").toFloats()).containsExactly(4, 5);
        }
    }

    @Test
    void failsOnATruncatedHeaderNamingTheKey() throws IOException {
        Path path = dir.resolve("cut.gguf");
        new GgufWriter().putString("general.architecture", "llama").putString("general.name", "a long enough name").write(path);
        byte[] bytes = Files.readAllBytes(path);
        int valueEnd = indexOf(bytes, "a long enough name".getBytes(StandardCharsets.UTF_8)) + "a long enough name".length();
        Files.write(path, Arrays.copyOf(bytes, valueEnd - 5));

        assertThatThrownBy(() -> GgufFile.open(path)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("general.name");
    }

    @Test
    void failsOnTruncatedTensorDataNamingTheTensor() throws IOException {
        Path path = dir.resolve("short.gguf");
        new GgufWriter().addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {64}, new float[64]).write(path);
        byte[] bytes = Files.readAllBytes(path);
        Files.write(path, Arrays.copyOf(bytes, bytes.length - 4));

        assertThatThrownBy(() -> GgufFile.open(path)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("blk.0.attn_q.weight");
    }

    @Test
    void rejectsAnUnknownTensorTypeNamingTheTensor() throws IOException {
        Path path = dir.resolve("odd.gguf");
        new GgufWriter().addTensor("odd", GgmlType.F32, new long[] {4}, new float[4]).write(path);
        byte[] bytes = Files.readAllBytes(path);
        int nameAt = indexOf(bytes, "odd".getBytes(StandardCharsets.UTF_8));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(nameAt + 3 + 4 + 8, 99); // after name, rank, one dim
        Files.write(path, bytes);

        assertThatThrownBy(() -> GgufFile.open(path)).isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("odd").hasMessageContaining("99");
    }

    @Test
    void refusesToDequantizeATypeWithoutKernelsNamingTheType() {
        assertThatThrownBy(() -> QuantBlocks.dequantize(GgmlType.Q5_K, java.lang.foreign.MemorySegment.ofArray(new byte[176]), 0, new float[256], 0, 256))
                .hasMessageContaining("Q5_K");
    }

    @Test
    void rejectsAFileThatIsNotGguf() throws IOException {
        Path path = dir.resolve("junk.bin");
        Files.write(path, "definitely not gguf".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> GgufFile.open(path)).isInstanceOf(GgufFormatException.class).hasMessageContaining("magic");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance));
        }
    }
}
