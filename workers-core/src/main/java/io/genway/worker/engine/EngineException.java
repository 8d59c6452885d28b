package io.genway.worker.engine;

/**
 * A run that failed. {@link Retriable} means another attempt (on this or another worker) may succeed: an upstream
 * that is down, a timeout. {@link Fatal} means it cannot: a prompt the model cannot take, an unknown model.
 * The type, not a flag, tells them apart so that callers match on it.
 */
public abstract sealed class EngineException extends RuntimeException {
    private final String code;

    EngineException(String code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    /** A short machine-readable reason, e.g. {@code upstream_unavailable}, {@code context_length_exceeded}. */
    public String code() {
        return code;
    }

    public abstract boolean retriable();

    public static final class Retriable extends EngineException {
        public Retriable(String code, String message, Throwable cause) {
            super(code, message, cause);
        }

        @Override
        public boolean retriable() {
            return true;
        }
    }

    public static final class Fatal extends EngineException {
        public Fatal(String code, String message, Throwable cause) {
            super(code, message, cause);
        }

        @Override
        public boolean retriable() {
            return false;
        }
    }
}
