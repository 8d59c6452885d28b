package io.genway.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import io.genway.llm.gguf.GgufValue;
import io.genway.llm.gguf.GgufValueType;
import io.genway.llm.gguf.GgufWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level BPE against Hugging Face {@code tokenizers}: {@code bpe-reference.json} holds a small trained
 * vocabulary with its merges and the ids the reference gave for varied texts under each pre-tokenizer (made by
 * {@code src/test/python/bpe_reference.py}). Each test writes that vocabulary into a GGUF file and reads it back.
 */
class BpeTokenizerTest {
    private static JsonNode reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void readReference() throws IOException {
        try (InputStream in = BpeTokenizerTest.class.getResourceAsStream("/tokenizer/bpe-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    @Test
    void splitsEveryReferenceTextIntoTheReferenceWords() {
        for (String name : List.of("default", "gpt-2", "llama-bpe", "qwen2")) {
            PreTokenizer pre = PreTokenizer.from(new GgufMetadata(Map.of("tokenizer.ggml.pre", GgufValue.ofString(name))));
            for (JsonNode c : cases(name)) {
                String text = c.get("text").asText();
                assertThat(pre.split(text).stream().map(BpeTokenizer::byteLevel)).as("%s: %s", name, text)
                        .containsExactly(strings(c.get("words")));
            }
        }
    }

    @Test
    void encodesEveryReferenceTextAsHuggingFaceTokenizersDo() throws IOException {
        List<String> verified = new ArrayList<>();
        for (String pre : List.of("default", "gpt-2", "llama-bpe", "qwen2")) {
            Tokenizer tokenizer = tokenizer(pre, w -> {});
            for (JsonNode c : cases(pre)) {
                String text = c.get("text").asText();
                assertThat(tokenizer.encode(text, false, true)).as("%s, specials parsed: %s", pre, text).containsExactly(ints(c.get("ids")));
                assertThat(tokenizer.encode(text, false, false)).as("%s, specials as text: %s", pre, text)
                        .containsExactly(ints(c.get("ids_specials_as_text")));
            }
            verified.add(pre);
        }
        assertThat(verified).hasSize(4);
    }

    @Test
    void decodesEveryReferenceEncodingBackToItsText() throws IOException {
        for (String pre : List.of("default", "gpt-2", "llama-bpe", "qwen2")) {
            Tokenizer tokenizer = tokenizer(pre, w -> {});
            for (JsonNode c : cases(pre)) {
                String text = c.get("text").asText();
                assertThat(tokenizer.decode(tokenizer.encode(text, false, false))).as("%s: %s", pre, text).isEqualTo(text);
            }
        }
    }

    @Test
    void dropsControlTokensFromDecodedText() throws IOException {
        Tokenizer tokenizer = tokenizer("qwen2", w -> {});
        int[] ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", false, true);
        assertThat(tokenizer.decode(ids)).isEqualTo("user\nHi");
    }

    @Test
    void streamsMultiByteCharactersWhole() throws IOException {
        Tokenizer tokenizer = tokenizer("llama-bpe", w -> {});
        int[] ids = tokenizer.encode("😀 日本", false, false);
        assertThat(ids.length).isGreaterThan(3); // the emoji's four bytes are not one token in this vocabulary
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(decoder.accept(id));
        assertThat(pieces).allSatisfy(p -> assertThat(p).doesNotContain("\uFFFD"));
        assertThat(String.join("", pieces) + decoder.finish()).isEqualTo("😀 日本");
    }

    @Test
    void addsBosForLlama3ByDefaultAndNotForQwen2() throws IOException {
        int bos = specialId("<|begin_of_text|>");
        Consumer<GgufWriter> bosId = w -> w.putUint32("tokenizer.ggml.bos_token_id", bos);
        assertThat(tokenizer("llama-bpe", bosId).encode("Hello", true, false)).startsWith(bos);
        assertThat(tokenizer("qwen2", bosId).encode("Hello", true, false)).doesNotContain(bos);
        assertThat(tokenizer("qwen2", bosId.andThen(w -> w.putBool("tokenizer.ggml.add_bos_token", true)))
                .encode("Hello", true, false)).startsWith(bos);
        assertThat(tokenizer("llama-bpe", bosId.andThen(w -> w.putBool("tokenizer.ggml.add_bos_token", false)))
                .encode("Hello", true, false)).doesNotContain(bos);
    }

    @Test
    void addsEosWhenTheModelAsks() throws IOException {
        int eos = specialId("<|end_of_text|>");
        Tokenizer tokenizer = tokenizer("qwen2", w -> w.putUint32("tokenizer.ggml.eos_token_id", eos).putBool("tokenizer.ggml.add_eos_token", true));
        assertThat(tokenizer.encode("Hello", true, false)).endsWith(eos);
        assertThat(tokenizer.encode("Hello", false, false)).doesNotContain(eos);
    }

    @Test
    void endsGenerationOnEosAndEndOfTurnTokens() throws IOException {
        Tokenizer tokenizer = tokenizer("llama-bpe", w -> w.putUint32("tokenizer.ggml.eos_token_id", specialId("<|end_of_text|>")));
        assertThat(tokenizer.isEndOfGeneration(specialId("<|end_of_text|>"))).isTrue();
        assertThat(tokenizer.isEndOfGeneration(specialId("<|eot_id|>"))).isTrue();
        assertThat(tokenizer.isEndOfGeneration(specialId("<|im_end|>"))).isTrue();
        assertThat(tokenizer.isEndOfGeneration(specialId("<|im_start|>"))).isFalse();
        assertThat(tokenizer.isEndOfGeneration(tokenizer.encode("Hello", false)[0])).isFalse();
    }

    @Test
    void refusesAnUnknownPreTokenizerNamingTheKey() {
        assertThatThrownBy(() -> tokenizer("jais", w -> {}))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tokenizer.ggml.pre = jais");
    }

    @Test
    void refusesAnUnknownTokenizerModelNamingTheKey() {
        assertThatThrownBy(() -> tokenizer("qwen2", w -> w.putString("tokenizer.ggml.model", "t5")))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tokenizer.ggml.model = t5");
    }

    @Test
    void refusesAGpt2TokenizerWithoutMerges() {
        assertThatThrownBy(() -> tokenizer("qwen2", false, w -> {}))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("tokenizer.ggml.merges");
    }

    private static List<JsonNode> cases(String pre) {
        return StreamSupport.stream(reference.get("cases").spliterator(), false).filter(c -> c.get("pre").asText().equals(pre)).toList();
    }

    private static int specialId(String text) {
        return reference.get("tokens").size() + List.of(strings(reference.get("specials"))).indexOf(text);
    }

    /** The reference vocabulary with its special tokens after it, as control tokens, in a GGUF file. */
    private Tokenizer tokenizer(String pre, Consumer<GgufWriter> more) throws IOException {
        return tokenizer(pre, true, more);
    }

    private Tokenizer tokenizer(String pre, boolean withMerges, Consumer<GgufWriter> more) throws IOException {
        String[] vocab = strings(reference.get("tokens"));
        String[] specials = strings(reference.get("specials"));
        String[] tokens = new String[vocab.length + specials.length];
        int[] types = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            boolean special = i >= vocab.length;
            tokens[i] = special ? specials[i - vocab.length] : vocab[i];
            types[i] = special ? TokenType.CONTROL.ordinal() : TokenType.NORMAL.ordinal();
        }
        GgufWriter writer = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", pre)
                .putArray("tokenizer.ggml.tokens", GgufValueType.STRING, tokens)
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, types);
        if (withMerges) writer.putArray("tokenizer.ggml.merges", GgufValueType.STRING, strings(reference.get("merges")));
        more.accept(writer);
        Path file = dir.resolve(pre + "-" + System.nanoTime() + ".gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            return Tokenizer.from(gguf.metadata());
        }
    }

    private static String[] strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toArray(String[]::new);
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }
}
