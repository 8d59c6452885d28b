package io.genway.diffusion.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SequencedMap;

/**
 * One {@code .safetensors} file, memory-mapped read-only into a shared arena: tensors are paged in by the OS as they
 * are read, never copied onto the heap as a whole. Layout: an 8-byte little-endian header length N, N bytes of
 * UTF-8 JSON, then the data section.
 */
public final class SafetensorsFile implements TensorStore {
    private static final ValueLayout.OfLong HEADER_LENGTH =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The reference implementation's limit: a larger header is an attack or garbage, not a checkpoint. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private final Path file;
    private final Arena arena;
    private final MemorySegment dataSection;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path file, Arena arena, MemorySegment dataSection, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.dataSection = dataSection;
        this.header = header;
    }

    /** Maps and validates {@code file}; a {@link SafetensorsException} if it is malformed. */
    public static SafetensorsFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new SafetensorsException(file, "truncated: " + size + " bytes, shorter than the 8-byte header"
                        + " length");
            }
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = mapped.get(HEADER_LENGTH, 0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " is not in [2, " + MAX_HEADER_BYTES + "]");
            }
            if (Long.BYTES + headerLength > size) {
                throw new SafetensorsException(file, "truncated: header of " + headerLength + " bytes does not fit"
                        + " in the " + size + "-byte file");
            }
            byte[] json = mapped.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = mapped.asSlice(Long.BYTES + headerLength).asReadOnly();
            SafetensorsHeader header = SafetensorsHeader.parse(file, json, data.byteSize());
            return new SafetensorsFile(file, arena, data, header);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public Path path() {
        return file;
    }

    @Override
    public SequencedMap<String, TensorInfo> tensors() {
        return header.tensors();
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) throw new SafetensorsException(file, "tensor " + name + " is missing");
        return info;
    }

    @Override
    public MemorySegment data(String name) {
        TensorInfo info = info(name);
        return dataSection.asSlice(info.begin(), info.byteSize());
    }

    @Override
    public float[] floats(String name) {
        return TensorBytes.floats(file, info(name), data(name));
    }

    @Override
    public byte[] bytes(String name) {
        return TensorBytes.bytes(file, info(name), data(name));
    }

    @Override
    public void close() {
        arena.close();
    }
}
