package io.genway.diffusion.model;

import java.nio.file.Path;

/**
 * A diffusers folder this engine cannot load: a missing or malformed file, a config key with a wrong type, or a
 * value it does not implement. Retrying cannot help; the message names the file and the key and value.
 */
public final class ModelConfigException extends RuntimeException {

    public ModelConfigException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelConfigException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
