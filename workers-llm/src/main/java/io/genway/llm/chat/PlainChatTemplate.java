package io.genway.llm.chat;

import io.genway.schemas.ChatMessage;
import java.util.List;

/**
 * For models without {@value ChatTemplate#KEY}: one {@code role: content} line per message, then
 * {@code assistant:} as the cue when a generation prompt is asked for. Base models see a plain transcript they
 * can continue; no special tokens are written.
 */
public final class PlainChatTemplate implements ChatTemplate {
    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder text = new StringBuilder();
        for (ChatMessage m : messages) text.append(m.role()).append(": ").append(m.content()).append('\n');
        if (addGenerationPrompt) text.append("assistant:");
        return text.toString();
    }
}
