package io.genway.llm.chat;

/** A chat template that failed: it does not parse, it raised an exception, or it refuses the conversation. */
public final class ChatTemplateException extends RuntimeException {
    public ChatTemplateException(String message) {
        super(message, null, false, false);
    }
}
