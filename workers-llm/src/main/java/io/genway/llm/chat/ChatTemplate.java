package io.genway.llm.chat;

import io.genway.llm.gguf.GgufMetadata;
import io.genway.llm.tokenizer.Vocabulary;
import io.genway.schemas.ChatMessage;
import java.util.List;

/** Chat messages to the prompt text a model was trained on. Implementations are immutable and thread-safe. */
public interface ChatTemplate {
    /** The GGUF key that holds a model's Jinja chat template. */
    String KEY = "tokenizer.chat_template";

    /**
     * The conversation as prompt text, special tokens written as their texts (tokenize it with specials parsed).
     *
     * @param addGenerationPrompt end with the cue that starts the assistant's turn
     * @throws ChatTemplateException when the template fails or refuses the conversation ({@code raise_exception})
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt);

    /**
     * The model's {@value #KEY}, with {@code bos_token} and {@code eos_token} from its vocabulary; the
     * {@link PlainChatTemplate} when the key is absent.
     *
     * @throws ChatTemplateException when the template does not compile or cannot render a one-message conversation
     */
    static ChatTemplate from(GgufMetadata metadata, Vocabulary vocabulary) {
        if (!metadata.contains(KEY)) return new PlainChatTemplate();
        String bos = vocabulary.bos() == Vocabulary.NONE ? "" : vocabulary.token(vocabulary.bos());
        String eos = vocabulary.eos() == Vocabulary.NONE ? "" : vocabulary.token(vocabulary.eos());
        return JinjaChatTemplate.compile(metadata.string(KEY), bos, eos);
    }
}
