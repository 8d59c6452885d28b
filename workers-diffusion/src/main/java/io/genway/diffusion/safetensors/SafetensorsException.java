package io.genway.diffusion.safetensors;

import java.nio.file.Path;

/**
 * A checkpoint that cannot be read as asked: malformed (truncated, bad header, offsets out of range, unknown dtype)
 * or missing a tensor. Retrying cannot help; the message names the file and the tensor or key.
 */
public final class SafetensorsException extends RuntimeException {

    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
