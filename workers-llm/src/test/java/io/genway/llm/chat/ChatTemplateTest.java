package io.genway.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.schemas.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real models' chat templates against transformers' renderer: {@code chat-template-reference.json} holds each
 * template (verbatim from the model's tokenizer_config.json) and what transformers 5 rendered for several
 * conversations, made by {@code src/test/python/chat_template_reference.py}.
 */
class ChatTemplateTest {
    private static JsonNode reference;

    @BeforeAll
    static void readReference() throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat/chat-template-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void rendersRealTemplatesExactlyAsTransformersDoes() {
        List<String> checked = new ArrayList<>();
        for (JsonNode c : reference.get("cases")) {
            if (c.has("error")) continue;
            String name = c.get("template").asText();
            String rendered = template(name).render(messages(c.get("conversation").asText()), c.get("add_generation_prompt").asBoolean());
            assertThat(rendered).as("%s, %s, generation prompt %s", name, c.get("conversation").asText(), c.get("add_generation_prompt"))
                    .isEqualTo(c.get("rendered").asText());
            checked.add(name);
        }
        assertThat(checked).contains("meta-llama/Llama-2-13b-chat-hf", "meta-llama/Meta-Llama-3-8B-Instruct", "Qwen/Qwen2-7B-Instruct",
                "mistralai/Mistral-7B-Instruct-v0.1", "HuggingFaceH4/zephyr-7b-beta", "deepseek-ai/deepseek-coder-33b-instruct");
    }

    @Test
    void refusesWhatTheTemplateRefusesWithItsMessageAndTheKey() {
        int refused = 0;
        for (JsonNode c : reference.get("cases")) {
            if (!c.has("error")) continue;
            ChatTemplate template = template(c.get("template").asText());
            List<ChatMessage> messages = messages(c.get("conversation").asText());
            assertThatThrownBy(() -> template.render(messages, c.get("add_generation_prompt").asBoolean()))
                    .as("%s, %s", c.get("template").asText(), c.get("conversation").asText())
                    .isInstanceOf(ChatTemplateException.class)
                    .hasMessageContaining("tokenizer.chat_template")
                    .hasMessageContaining(c.get("error").asText());
            refused++;
        }
        assertThat(refused).isPositive();
    }

    @Test
    void failsOnASyntaxErrorNamingTheKey() {
        assertThatThrownBy(() -> JinjaChatTemplate.compile("{% for message in messages %}{{ message['content'] }}", "<s>", "</s>"))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("tokenizer.chat_template");
    }

    @Test
    void callsPythonStringMethods() {
        ChatTemplate template = JinjaChatTemplate.compile(
                "{% for m in messages %}{{ m['role'].title() }}|{{ m['content'].strip() }}|{{ m['content'].lstrip() }}|"
                        + "{{ m['content'].rstrip() }}|{{ m['content'].startswith(' a') }}|{{ m['content'].endswith(('x', 'c ')) }}|"
                        + "{{ m['content'].upper() }}|{{ m['content'].split() | length }}|{{ ', '.join(m['content'].split()) }}{% endfor %}",
                "", "");
        assertThat(template.render(List.of(new ChatMessage("user", " a b c ")), false))
                .isEqualTo("User|a b c|a b c | a b c|true|true| A B C |3|a, b, c");
    }

    @Test
    void formatsTheDateForStrftimeNow() {
        ChatTemplate template = JinjaChatTemplate.compile("{{ strftime_now('%d %b %Y') }}", "", "",
                InstantSource.fixed(Instant.parse("2024-07-26T10:00:00Z")));
        assertThat(template.render(List.of(new ChatMessage("user", "x")), true)).isEqualTo("26 Jul 2024");
    }

    @Test
    void fallsBackToRoleLinesAndAnAssistantCue() {
        assertThat(new PlainChatTemplate().render(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi")), true))
                .isEqualTo("system: Be brief.\nuser: Hi\nassistant:");
    }

    private static ChatTemplate template(String name) {
        JsonNode t = reference.get("templates").get(name);
        return JinjaChatTemplate.compile(t.get("chat_template").asText(), t.get("bos_token").asText(), t.get("eos_token").asText());
    }

    private static List<ChatMessage> messages(String conversation) {
        return StreamSupport.stream(reference.get("conversations").get(conversation).spliterator(), false)
                .map(m -> new ChatMessage(m.get("role").asText(), m.get("content").asText()))
                .toList();
    }
}
