package io.genway.diffusion.safetensors;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Named tensors read from one checkpoint, a single file or a sharded set. Segments and arrays stay valid only until
 * {@link #close()}; the store may be read from several threads at once, but not while it is being closed.
 */
public interface TensorStore extends AutoCloseable {

    /** The file errors name: the single file, or a sharded checkpoint's index. */
    Path path();

    /** Every tensor's header entry, in name order. */
    SequencedMap<String, TensorInfo> tensors();

    /** The {@code __metadata__} string map (merged over shards), empty when the file has none. */
    Map<String, String> metadata();

    /** The header entry of {@code name}; a {@link SafetensorsException} naming the file if there is none. */
    TensorInfo info(String name);

    /** The tensor's bytes, read-only and little-endian, mapped from the file without copying. */
    MemorySegment data(String name);

    /** The tensor as floats, row-major; F16 and BF16 widened. Fails for other dtypes. */
    float[] floats(String name);

    /** The tensor's raw little-endian bytes, copied onto the heap; any dtype. */
    byte[] bytes(String name);

    default boolean contains(String name) {
        return tensors().containsKey(name);
    }

    /** Unmaps the file(s). */
    @Override
    void close();
}
