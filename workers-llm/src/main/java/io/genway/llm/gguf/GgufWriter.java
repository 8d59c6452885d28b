package io.genway.llm.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF v3 files: metadata of every type and tensors given as floats, encoded (quantized where the type
 * asks) on the way out. Tests build small models with it; {@link GgufFile} reads what it writes.
 * Alignment is taken from {@code general.alignment} when that key is set, else 32.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();

    private record Pending(String name, GgmlType type, long[] shape, byte[] bytes) {
    }

    /** The metadata so far, in insertion order (the order it is written in). */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValue.ofString(value));
    }

    public GgufWriter putUint32(String key, int value) {
        return put(key, GgufValue.ofUint32(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValue.ofFloat32(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValue.ofBool(value));
    }

    public GgufWriter putArray(String key, GgufValueType elementType, Object elements) {
        return put(key, GgufValue.ofArray(elementType, elements));
    }

    /** Adds a tensor of ggml {@code shape} (row length first) holding {@code values}, stored as {@code type}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, float[] values) {
        GgufTensorInfo info = new GgufTensorInfo(name, type, shape, 0); // validates the shape against the type
        if (info.elementCount() != values.length) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + java.util.Arrays.toString(shape) + " needs "
                    + info.elementCount() + " values, was given " + values.length);
        }
        tensors.add(new Pending(name, type, shape.clone(), QuantBlocks.quantize(type, values)));
        return this;
    }

    public void write(Path path) throws IOException {
        int alignment = Math.toIntExact(metadata.containsKey(GgufFile.ALIGNMENT_KEY)
                ? metadata.get(GgufFile.ALIGNMENT_KEY).asLong(GgufFile.ALIGNMENT_KEY)
                : GgufFile.DEFAULT_ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a power of two, was " + alignment);
        }
        try (Out out = new Out(new BufferedOutputStream(Files.newOutputStream(path)))) {
            out.i32(GgufFile.MAGIC);
            out.i32(3);
            out.i64(tensors.size());
            out.i64(metadata.size());
            for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                out.string(e.getKey());
                out.i32(e.getValue().type().id());
                out.value(e.getValue().type(), e.getValue().value());
            }
            long offset = 0;
            for (Pending t : tensors) {
                out.string(t.name);
                out.i32(t.shape.length);
                for (long d : t.shape) out.i64(d);
                out.i32(t.type.id());
                out.i64(offset);
                offset = GgufFile.alignUp(offset + t.bytes.length, alignment);
            }
            out.pad(alignment);
            long start = out.written;
            for (Pending t : tensors) {
                out.write(t.bytes);
                out.padFrom(start, alignment);
            }
        }
    }

    /** A little-endian stream that counts what it wrote, for padding. */
    private static final class Out implements AutoCloseable {
        private final OutputStream stream;
        long written;

        Out(OutputStream stream) {
            this.stream = stream;
        }

        void write(byte[] bytes) throws IOException {
            stream.write(bytes);
            written += bytes.length;
        }

        void i8(int v) throws IOException {
            stream.write(v);
            written++;
        }

        void i16(int v) throws IOException {
            i8(v);
            i8(v >>> 8);
        }

        void i32(int v) throws IOException {
            i16(v);
            i16(v >>> 16);
        }

        void i64(long v) throws IOException {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            write(bytes);
        }

        void pad(int alignment) throws IOException {
            padFrom(0, alignment);
        }

        void padFrom(long start, int alignment) throws IOException {
            while ((written - start) % alignment != 0) i8(0);
        }

        void value(GgufValueType type, Object v) throws IOException {
            switch (type) {
                case UINT8, INT8 -> i8((Byte) v);
                case UINT16, INT16 -> i16((Short) v);
                case UINT32, INT32 -> i32((Integer) v);
                case UINT64, INT64 -> i64((Long) v);
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> i8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> {
                    GgufArray array = (GgufArray) v;
                    i32(array.elementType().id());
                    i64(array.length());
                    for (int i = 0; i < array.length(); i++) value(array.elementType(), Array.get(array.elements(), i));
                }
            }
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
