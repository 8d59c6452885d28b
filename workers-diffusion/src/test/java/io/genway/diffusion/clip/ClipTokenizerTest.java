package io.genway.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genway.diffusion.model.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token ids against transformers' CLIPTokenizer on a vocabulary trained by src/test/python/clip_reference.py. */
class ClipTokenizerTest {
    private static final JsonNode EXPECTED = ClipReference.json("tokenizer-expected.json");

    @Test
    void matchesTransformersPaddedWithEndOfText() {
        ClipTokenizer tokenizer = ClipTokenizer.read(ClipReference.tokenizerFolder());
        assertMatchesCases(tokenizer, "sd1");
    }

    @Test
    void matchesTransformersPaddedWithExclamationMarkAsStableDiffusion2Does(@TempDir Path dir) throws IOException {
        Path folder = copyTokenizer(dir);
        Files.writeString(folder.resolve(ClipTokenizer.SPECIAL_TOKENS_FILE), """
                {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "!",
                 "unk_token": "<|endoftext|>"}
                """);
        ClipTokenizer tokenizer = ClipTokenizer.read(folder);
        assertThat(tokenizer.pad()).isEqualTo(33);
        assertMatchesCases(tokenizer, "sd2");
    }

    @Test
    void readsTheOneFileFormTransformersFiveSaves() {
        Path folder = ClipReference.tokenizerFolder().resolveSibling("tokenizer-json");
        assertThat(folder.resolve(ClipTokenizer.VOCAB_FILE)).doesNotExist();
        assertThat(folder.resolve(ClipTokenizer.TOKENIZER_FILE)).exists();

        assertMatchesCases(ClipTokenizer.read(folder), "sd1");
    }

    @Test
    void aTokenizerJsonOfAnotherModelTypeFailsNamingTheKey(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(ClipTokenizer.TOKENIZER_FILE), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        assertThatThrownBy(() -> ClipTokenizer.read(dir))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("tokenizer.json").hasMessageContaining("model.type must be BPE");
    }

    @Test
    void encodesToModelMaxLengthWithBosFirstAndEosAfterTheText() {
        ClipTokenizer tokenizer = ClipTokenizer.read(ClipReference.tokenizerFolder());
        int[] ids = tokenizer.encode("a red circle");
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(tokenizer.bos());
        int length = tokenizer.tokenize("a red circle").length;
        assertThat(ids[length + 1]).isEqualTo(tokenizer.eos());
        assertThat(IntStream.range(length + 2, 77).map(i -> ids[i])).containsOnly(tokenizer.pad());
    }

    @Test
    void truncatesLongTextKeepingTheEndOfTextToken() {
        ClipTokenizer tokenizer = ClipTokenizer.read(ClipReference.tokenizerFolder());
        int[] ids = tokenizer.encode("the quick brown fox jumps over the lazy dog ".repeat(20));
        assertThat(ids).hasSize(77);
        assertThat(ids[76]).isEqualTo(tokenizer.eos());
    }

    @Test
    void missingVocabularyFailsNamingTheFile(@TempDir Path dir) {
        assertThatThrownBy(() -> ClipTokenizer.read(dir))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("vocab.json").hasMessageContaining("missing");
    }

    @Test
    void padTokenOutsideTheVocabularyFailsNamingTheKey(@TempDir Path dir) throws IOException {
        Path folder = copyTokenizer(dir);
        Files.writeString(folder.resolve(ClipTokenizer.SPECIAL_TOKENS_FILE), "{\"pad_token\": \"<pad>\"}");
        assertThatThrownBy(() -> ClipTokenizer.read(folder))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("pad_token \"<pad>\" is not in the vocabulary");
    }

    @Test
    void mergeOfUnknownSymbolsFailsNamingTheLine(@TempDir Path dir) throws IOException {
        Path folder = copyTokenizer(dir);
        Files.writeString(folder.resolve(ClipTokenizer.MERGES_FILE), "#version: 0.2\nq\n");
        assertThatThrownBy(() -> ClipTokenizer.read(folder))
                .isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("merge 1");
    }

    private static void assertMatchesCases(ClipTokenizer tokenizer, String layout) {
        int checked = 0;
        for (JsonNode c : EXPECTED.get("cases")) {
            if (!c.get("layout").asText().equals(layout)) continue;
            String text = c.get("text").asText();
            assertThat(tokenizer.tokenize(text)).as("tokens of %s", text).containsExactly(ClipReference.ints(c.get("tokens")));
            assertThat(tokenizer.encode(text)).as("ids of %s", text).containsExactly(ClipReference.ints(c.get("ids")));
            checked++;
        }
        assertThat(checked).isGreaterThan(10);
    }

    private static Path copyTokenizer(Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("tokenizer"));
        try (var files = Files.list(ClipReference.tokenizerFolder())) {
            for (Path file : files.toList()) Files.copy(file, folder.resolve(file.getFileName()));
        }
        return folder;
    }
}
