package io.genway.schemas;

import java.util.Objects;

/** An error in OpenAI's vocabulary: {@code type} such as invalid_request_error or server_error, an optional code. */
public record ErrorInfo(String type, String message, String code) {
    public ErrorInfo {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }
}
