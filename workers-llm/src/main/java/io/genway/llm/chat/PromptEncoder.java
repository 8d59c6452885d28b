package io.genway.llm.chat;

import io.genway.llm.gguf.GgufMetadata;
import io.genway.llm.tokenizer.Tokenizer;
import io.genway.llm.tokenizer.Vocabulary;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.TextInput;
import java.util.List;
import java.util.Objects;

/**
 * A request's input as the token ids the model sees, as llama.cpp's server makes them. A chat: the model's chat
 * template rendered with the generation prompt, tokenized with special-token texts parsed and BOS added as the
 * model says; when the template itself writes the BOS text first, that text is dropped so the prompt does not
 * start with two. A completion: the prompt, BOS as the model says, special-token texts parsed too. Immutable and
 * thread-safe.
 */
public final class PromptEncoder {
    private final Tokenizer tokenizer;
    private final ChatTemplate template;

    public PromptEncoder(Tokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
    }

    /**
     * The model's chat template ({@value ChatTemplate#KEY}, else the plain fallback) over its tokenizer.
     *
     * @throws ChatTemplateException when the model's template does not render
     */
    public static PromptEncoder from(GgufMetadata metadata, Tokenizer tokenizer) {
        return new PromptEncoder(tokenizer, ChatTemplate.from(metadata, tokenizer.vocabulary()));
    }

    /** @throws ChatTemplateException when the template refuses the conversation */
    public int[] encode(TextInput input) {
        return input.prompt() != null ? encodeCompletion(input.prompt()) : encodeChat(input.messages());
    }

    public int[] encodeCompletion(String prompt) {
        return tokenizer.encode(prompt, true, true);
    }

    /** @throws ChatTemplateException when the template refuses the conversation */
    public int[] encodeChat(List<ChatMessage> messages) {
        return tokenizer.encode(chatText(messages), true, true);
    }

    /** The rendered conversation as it is tokenized: without a leading BOS text where the tokenizer adds BOS. */
    public String chatText(List<ChatMessage> messages) {
        String text = template.render(messages, true);
        Vocabulary v = tokenizer.vocabulary();
        if (v.addBos() && v.bos() != Vocabulary.NONE && text.startsWith(v.token(v.bos()))) {
            text = text.substring(v.token(v.bos()).length());
        }
        return text;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
