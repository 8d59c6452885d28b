package io.genway.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.SharedModels;
import java.io.IOException;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {

    @Test
    void encodesEveryReferencePromptAsLlamaCppDoes() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(SharedModels.stories260KReference().toFile());
        SentencePieceTokenizer tokenizer = stories260K();

        assertThat(reference.get("tokenize")).isNotEmpty();
        for (JsonNode c : reference.get("tokenize")) {
            String text = c.get("text").asText();
            assertThat(tokenizer.encode(text, true)).as("with BOS: %s", text).containsExactly(ints(c.get("ids_with_bos")));
            assertThat(tokenizer.encode(text, false)).as("without BOS: %s", text).containsExactly(ints(c.get("ids_no_bos")));
        }
        for (JsonNode c : reference.get("greedy")) {
            assertThat(tokenizer.encode(c.get("prompt").asText(), true)).containsExactly(ints(c.get("prompt_tokens_with_bos")));
        }
    }

    @Test
    void decodesGeneratedIdsToLlamaCppsText() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(SharedModels.stories260KReference().toFile());
        SentencePieceTokenizer tokenizer = stories260K();

        for (JsonNode c : reference.get("greedy")) {
            assertThat(tokenizer.decode(ints(c.get("generated_token_ids")))).isEqualTo(c.get("text").asText());
        }
    }

    @Test
    void fallsBackToByteTokensForCharactersOutsideTheVocabulary() throws IOException {
        SentencePieceTokenizer tokenizer = stories260K();

        int[] ids = tokenizer.encode("😀", false);

        // '▁' then the four UTF-8 bytes of the emoji (F0 9F 98 80) as <0xNN> tokens
        assertThat(java.util.Arrays.stream(ids).mapToObj(tokenizer.vocabulary()::token).toList())
                .containsExactly("▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>");
        assertThat(tokenizer.decode(ids)).isEqualTo(" 😀");
    }

    @Test
    void encodesTheEmptyStringAsBosAlone() throws IOException {
        assertThat(stories260K().encode("", true)).containsExactly(1);
        assertThat(stories260K().encode("", false)).isEmpty();
    }

    @Test
    void parsesControlTokenTextsOnlyWhenAskedAndPrefixesASpaceAfterThem() throws IOException {
        SentencePieceTokenizer tokenizer = stories260K();
        int[] once = tokenizer.encode("Once", false, false);

        int[] parsed = tokenizer.encode("<s>Once</s>", false, true);
        assertThat(parsed[0]).isEqualTo(1);
        assertThat(java.util.Arrays.copyOfRange(parsed, 1, parsed.length - 1)).containsExactly(once); // "▁Once", as after BOS
        assertThat(parsed[parsed.length - 1]).isEqualTo(2);

        assertThat(tokenizer.encode("<s>Once", false, false)).doesNotContain(1);
    }

    @Test
    void alwaysTakesUserDefinedTokensWhole() {
        String[] tokens = {"<unk>", "<s>", "</s>", "▁", "a", "b", "ab", "<tool>", "<", ">", "t", "o", "l"};
        TokenType[] types = new TokenType[tokens.length];
        java.util.Arrays.fill(types, TokenType.NORMAL);
        types[0] = TokenType.UNKNOWN;
        types[1] = types[2] = TokenType.CONTROL;
        types[7] = TokenType.USER_DEFINED;
        float[] scores = new float[tokens.length];
        scores[6] = 1f;
        SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(
                new Vocabulary(tokens, scores, types, new Vocabulary.Specials(1, 2, 0, false, false, false)));

        assertThat(tokenizer.encode("ab<tool>ab", false, false)).containsExactly(6, 7, 6);
        assertThat(tokenizer.decode(new int[] {6, 7, 6})).isEqualTo("ab<tool>ab");
    }

    static SentencePieceTokenizer stories260K() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            return new SentencePieceTokenizer(Vocabulary.from(file.metadata()));
        }
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }
}
