package io.genway.llm.gguf;

/**
 * A GGUF file that cannot be read: truncated, of an unsupported version, or holding a value or tensor type this
 * reader does not know. The message names the key, type or tensor at fault. Retrying cannot help.
 */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }
}
