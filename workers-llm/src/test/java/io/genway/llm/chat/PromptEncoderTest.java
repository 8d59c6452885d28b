package io.genway.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufValueType;
import io.genway.llm.gguf.GgufWriter;
import io.genway.llm.tokenizer.TokenType;
import io.genway.llm.tokenizer.Tokenizer;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chat prompts end to end, template to ids, on the byte-level BPE vocabulary of {@code bpe-reference.json}: the
 * expected ids are those Hugging Face tokenizers gave for the rendered text (specials parsed).
 */
class PromptEncoderTest {
    private static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    private static final String BOS_FIRST = "{{ bos_token }}{% for message in messages %}{{ message['content'] }}<|eot_id|>{% endfor %}";
    private static JsonNode reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void readReference() throws IOException {
        try (InputStream in = PromptEncoderTest.class.getResourceAsStream("/tokenizer/bpe-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void tokenizesTheRenderedChatWithSpecialTokensParsed() throws IOException {
        PromptEncoder prompts = prompts("qwen2", CHATML, w -> {});

        int[] ids = prompts.encode(chat(new ChatMessage("user", "Hi there")));

        assertThat(ids).containsExactly(referenceIds("qwen2", "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n"));
    }

    @Test
    void addsOneBosWhenTheTemplateAlsoWritesIt() throws IOException {
        int bos = specialId("<|begin_of_text|>");
        PromptEncoder prompts = prompts("llama-bpe", BOS_FIRST, w -> w.putUint32("tokenizer.ggml.bos_token_id", bos));

        int[] ids = prompts.encode(chat(new ChatMessage("user", "text")));

        assertThat(ids).containsExactly(referenceIds("llama-bpe", "<|begin_of_text|>text<|eot_id|>"));
        assertThat(ids[0]).isEqualTo(bos);
        assertThat(ids[1]).isNotEqualTo(bos);
    }

    @Test
    void addsBosToACompletionAsTheModelSays() throws IOException {
        int bos = specialId("<|begin_of_text|>");
        PromptEncoder prompts = prompts("llama-bpe", CHATML, w -> w.putUint32("tokenizer.ggml.bos_token_id", bos));

        int[] ids = prompts.encode(new TextInput(null, "Hello world", new SamplingParams(4, 0, 1, 0, 0, List.of())));

        assertThat(ids[0]).isEqualTo(bos);
        assertThat(java.util.Arrays.copyOfRange(ids, 1, ids.length)).containsExactly(referenceIds("llama-bpe", "Hello world"));
    }

    @Test
    void usesThePlainFallbackWithoutATemplate() throws IOException {
        PromptEncoder prompts = prompts("qwen2", null, w -> {});

        assertThat(prompts.chatText(List.of(new ChatMessage("user", "Hi")))).isEqualTo("user: Hi\nassistant:");
    }

    @Test
    void refusesToLoadATemplateThatDoesNotRenderNamingTheKey() {
        assertThatThrownBy(() -> prompts("qwen2", "{% if messages %}unclosed", w -> {}))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("tokenizer.chat_template");
    }

    private static TextInput chat(ChatMessage... messages) {
        return new TextInput(List.of(messages), null, new SamplingParams(4, 0, 1, 0, 0, List.of()));
    }

    private static int[] referenceIds(String pre, String text) {
        for (JsonNode c : reference.get("cases")) {
            if (c.get("pre").asText().equals(pre) && c.get("text").asText().equals(text)) {
                return StreamSupport.stream(c.get("ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
            }
        }
        throw new AssertionError("no reference case for " + pre + ": " + text);
    }

    private static int specialId(String text) {
        return reference.get("tokens").size() + List.of(strings(reference.get("specials"))).indexOf(text);
    }

    private PromptEncoder prompts(String pre, String template, Consumer<GgufWriter> more) throws IOException {
        String[] vocab = strings(reference.get("tokens"));
        String[] specials = strings(reference.get("specials"));
        String[] tokens = new String[vocab.length + specials.length];
        int[] types = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            boolean special = i >= vocab.length;
            tokens[i] = special ? specials[i - vocab.length] : vocab[i];
            types[i] = (special ? TokenType.CONTROL : TokenType.NORMAL).ordinal();
        }
        GgufWriter writer = new GgufWriter()
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", pre)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens)
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, types)
                .putArray("tokenizer.ggml.merges", GgufValueType.STRING, strings(reference.get("merges")));
        if (template != null) writer.putString(ChatTemplate.KEY, template);
        more.accept(writer);
        Path file = dir.resolve(pre + "-" + System.nanoTime() + ".gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return PromptEncoder.from(gguf.metadata(), Tokenizer.from(gguf.metadata()));
        }
    }

    private static String[] strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toArray(String[]::new);
    }
}
