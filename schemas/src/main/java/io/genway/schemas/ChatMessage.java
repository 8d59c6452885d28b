package io.genway.schemas;

import java.util.Objects;

/** One turn of a chat; {@code role} is one of system, user, assistant, tool. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
