package io.genway.schemas;

import java.util.Objects;

/** One turn of a chat; {@code role} is one of system, developer, user, assistant, tool (the gateway checks it). */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
