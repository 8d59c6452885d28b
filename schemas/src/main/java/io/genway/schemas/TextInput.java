package io.genway.schemas;

import java.util.List;

/** A transformer request's input: chat messages (chat endpoint) or a raw prompt (completions endpoint). */
public record TextInput(List<ChatMessage> messages, String prompt, SamplingParams sampling) {
    public TextInput {
        if ((messages == null) == (prompt == null)) {
            throw new IllegalArgumentException("exactly one of messages or prompt must be given");
        }
        messages = messages == null ? null : List.copyOf(messages);
        if (messages != null && messages.isEmpty()) throw new IllegalArgumentException("messages must not be empty");
        java.util.Objects.requireNonNull(sampling, "sampling");
    }
}
