package io.genway.llm.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A GGUF v3 (or v2) file, memory-mapped: the header is parsed once, tensor data stays in the mapping and is read
 * through {@link GgufTensor}s, which are valid until {@link #close()}. The mapping belongs to a shared arena, so
 * tensors may be read from any thread.
 *
 * <p>Layout: magic "GGUF", version u32, tensor count u64, metadata count u64, metadata (key string, type u32,
 * value), tensor infos (name, rank u32, dims u64 each, type u32, offset u64), padding to the alignment, data.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";

    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final GgufMetadata metadata;
    private final SequencedMap<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Arena arena, MemorySegment file) {
        this.arena = arena;
        this.file = file;
        Cursor in = new Cursor(file);
        if (in.i32("magic") != MAGIC) throw new GgufFormatException("not a GGUF file: bad magic");
        this.version = in.i32("version");
        if (version != 2 && version != 3) throw new GgufFormatException("unsupported GGUF version " + version + " (2 and 3 are read)");
        long tensorCount = in.count("tensor count", 8);
        long kvCount = in.count("metadata count", 8);
        Map<String, GgufValue> values = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            GgufValueType type = GgufValueType.ofId(in.i32(key), key);
            values.put(key, in.value(type, key));
        }
        this.metadata = new GgufMetadata(values);
        this.alignment = metadata.integerOr(ALIGNMENT_KEY, DEFAULT_ALIGNMENT);
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) throw new GgufFormatException(ALIGNMENT_KEY + " must be a power of two, was " + alignment);
        SequencedMap<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = in.string("tensor name #" + i);
            int rank = in.i32(name);
            if (rank < 1 || rank > 4) throw new GgufFormatException("tensor " + name + " has " + rank + " dimensions, 1 to 4 allowed");
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) shape[d] = in.i64(name);
            GgmlType type = GgmlType.ofId(in.i32(name), name);
            infos.put(name, new GgufTensorInfo(name, type, shape, in.i64(name)));
        }
        this.tensors = Collections.unmodifiableSequencedMap(infos);
        this.dataOffset = alignUp(in.position(), alignment);
        for (GgufTensorInfo t : tensors.values()) {
            if (t.offset() % alignment != 0) throw new GgufFormatException("tensor " + t.name() + " is not aligned to " + alignment);
            if (dataOffset + t.offset() + t.byteSize() > file.byteSize()) {
                throw new GgufFormatException("tensor " + t.name() + " runs past the end of the file (truncated?)");
            }
        }
    }

    /** Maps {@code path} read-only and parses its header. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(arena, mapped);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    public SequencedMap<String, GgufTensorInfo> tensorInfos() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Where the data section starts in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public GgufTensor tensor(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) throw new GgufFormatException("missing tensor " + name);
        return new GgufTensor(info, file.asSlice(dataOffset + info.offset(), info.byteSize()));
    }

    @Override
    public void close() {
        arena.close();
    }

    static long alignUp(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** Reads the header with bounds checks, so a truncated file fails naming what was being read. */
    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final MemorySegment segment;
        private long pos;

        Cursor(MemorySegment segment) {
            this.segment = segment;
        }

        long position() {
            return pos;
        }

        private long take(long bytes, String what) {
            if (bytes < 0 || bytes > segment.byteSize() - pos) {
                throw new GgufFormatException("truncated file: " + what + " needs " + bytes + " bytes at offset " + pos
                        + ", the file has " + (segment.byteSize() - pos) + " left");
            }
            long at = pos;
            pos += bytes;
            return at;
        }

        byte i8(String what) {
            return segment.get(ValueLayout.JAVA_BYTE, take(1, what));
        }

        short i16(String what) {
            return segment.get(QuantBlocks.I16, take(2, what));
        }

        int i32(String what) {
            return segment.get(I32, take(4, what));
        }

        long i64(String what) {
            return segment.get(I64, take(8, what));
        }

        /** A u64 count of items of at least {@code minItemBytes} each, checked against what the file can hold. */
        long count(String what, int minItemBytes) {
            long n = i64(what);
            if (n < 0 || n > (segment.byteSize() - pos) / Math.max(1, minItemBytes)) {
                throw new GgufFormatException("truncated file or bad count: " + what + " = " + Long.toUnsignedString(n));
            }
            return n;
        }

        String string(String what) {
            long length = count(what + " (string length)", 1);
            long at = take(length, what);
            byte[] bytes = segment.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
            return new String(bytes, StandardCharsets.UTF_8);
        }

        GgufValue value(GgufValueType type, String key) {
            Object v = switch (type) {
                case UINT8, INT8 -> i8(key);
                case UINT16, INT16 -> i16(key);
                case UINT32, INT32 -> i32(key);
                case UINT64, INT64 -> i64(key);
                case FLOAT32 -> Float.intBitsToFloat(i32(key));
                case FLOAT64 -> segment.get(F64, take(8, key));
                case BOOL -> bool(key);
                case STRING -> string(key);
                case ARRAY -> array(key);
            };
            return new GgufValue(type, v);
        }

        private boolean bool(String key) {
            byte b = i8(key);
            if (b != 0 && b != 1) throw new GgufFormatException("metadata key " + key + " holds bool byte " + b);
            return b == 1;
        }

        private GgufArray array(String key) {
            GgufValueType elementType = GgufValueType.ofId(i32(key + " (array element type)"), key);
            // strings and arrays take at least their 8-byte length each
            long n = count(key + " (array length)", elementType.size() == 0 ? 8 : elementType.size());
            int length = Math.toIntExact(n);
            Object elements = switch (elementType) {
                case UINT8, INT8 -> segment.asSlice(take(n, key), n).toArray(ValueLayout.JAVA_BYTE);
                case UINT16, INT16 -> {
                    short[] a = new short[length];
                    MemorySegment.copy(segment, QuantBlocks.I16, take(n * 2, key), a, 0, length);
                    yield a;
                }
                case UINT32, INT32 -> {
                    int[] a = new int[length];
                    MemorySegment.copy(segment, I32, take(n * 4, key), a, 0, length);
                    yield a;
                }
                case UINT64, INT64 -> {
                    long[] a = new long[length];
                    MemorySegment.copy(segment, I64, take(n * 8, key), a, 0, length);
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[length];
                    MemorySegment.copy(segment, QuantBlocks.F32, take(n * 4, key), a, 0, length);
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[length];
                    MemorySegment.copy(segment, F64, take(n * 8, key), a, 0, length);
                    yield a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[length];
                    for (int i = 0; i < length; i++) a[i] = bool(key);
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[length];
                    for (int i = 0; i < length; i++) a[i] = string(key + "[" + i + "]");
                    yield a;
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[length];
                    for (int i = 0; i < length; i++) a[i] = array(key + "[" + i + "]");
                    yield a;
                }
            };
            return new GgufArray(elementType, elements);
        }
    }
}
