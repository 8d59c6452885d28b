package io.genway.diffusion.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects float tensors and metadata, then writes one {@code .safetensors} file. The same tensors always give the
 * same bytes: metadata first, then tensors widest dtype first and by name within a width, in both header and data, as
 * the reference implementation orders them; the header is padded with spaces to a multiple of 8 bytes as it does
 * too. The data section then starts 8-aligned and every tensor starts aligned to its element width, so a mapped
 * tensor can be read with aligned access. Not thread-safe; for fixtures and tools.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(Dtype dtype, long[] shape, float[] values) {}

    private final TreeMap<String, Pending> tensors = new TreeMap<>();
    private final TreeMap<String, String> metadata = new TreeMap<>();

    /** Adds a tensor stored as {@code dtype} (F32, F16 or BF16); {@code values} are row-major, product(shape) long. */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, float[] values) {
        if (name == null || name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("name must be a non-empty tensor name, was " + name);
        }
        if (dtype == null || !dtype.readsAsFloat()) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16 (tensor " + name + "), was " + dtype);
        }
        long count = new TensorInfo(name, dtype, shape, 0, 0).elementCount();
        if (values == null || values.length != count) {
            throw new IllegalArgumentException("values must hold " + count + " elements for tensor " + name
                    + ", held " + (values == null ? "null" : values.length));
        }
        if (tensors.containsKey(name)) throw new IllegalArgumentException("tensor " + name + " was already added");
        tensors.put(name, new Pending(dtype, shape.clone(), values.clone()));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        if (key == null || value == null) throw new IllegalArgumentException("metadata key and value must not be null");
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> entries) {
        entries.forEach(this::metadata);
        return this;
    }

    public void write(Path file) throws IOException {
        byte[] header = header();
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Map.Entry<String, Pending> entry : dataOrder()) out.write(encode(entry.getValue()));
        }
    }

    private byte[] header() throws JsonProcessingException {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Pending> entry : dataOrder()) {
            Pending tensor = entry.getValue();
            long size = (long) tensor.values().length * tensor.dtype().byteSize();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", tensor.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dim : tensor.shape()) shape.add(dim);
            node.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private List<Map.Entry<String, Pending>> dataOrder() {
        Comparator<Map.Entry<String, Pending>> widestFirst =
                Comparator.comparingInt(entry -> -entry.getValue().dtype().byteSize());
        return tensors.entrySet().stream().sorted(widestFirst.thenComparing(Map.Entry::getKey)).toList();
    }

    private static byte[] encode(Pending tensor) {
        float[] values = tensor.values();
        ByteBuffer out = ByteBuffer.allocate(values.length * tensor.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (tensor.dtype()) {
            case F32 -> {
                for (float v : values) out.putFloat(v);
            }
            case F16 -> {
                for (float v : values) out.putShort(Float.floatToFloat16(v));
            }
            case BF16 -> {
                for (float v : values) out.putShort(toBfloat16(v));
            }
            default -> throw new IllegalStateException("unreachable: " + tensor.dtype());
        }
        return out.array();
    }

    /** Round to nearest even on the dropped low 16 bits, as torch converts; NaN stays a quiet NaN. */
    static short toBfloat16(float value) {
        if (Float.isNaN(value)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(value);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
