package io.genway.diffusion.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a checkpoint by the file name it has: a sharded index or a single file. */
public final class Safetensors {
    static final String INDEX_SUFFIX = ".safetensors.index.json";

    private Safetensors() {}

    public static TensorStore open(Path path) throws IOException {
        return path.getFileName().toString().endsWith(INDEX_SUFFIX)
                ? ShardedSafetensors.open(path)
                : SafetensorsFile.open(path);
    }
}
