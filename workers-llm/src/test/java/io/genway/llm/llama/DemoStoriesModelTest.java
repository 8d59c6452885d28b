package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.tokenizer.SentencePieceTokenizer;
import io.genway.llm.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The demo text model the project trains itself (demo-models/text): it loads as a llama GGUF, our tokenizer and
 * greedy decoding reproduce the ids PyTorch produced with the training script's own tokenizer and model, and a
 * greedy story uses only words of the corpus it was trained on.
 */
class DemoStoriesModelTest {
    private static final Path FOLDER = Path.of("..", "demo-models", "text");
    private static final Path MODEL = FOLDER.resolve("demo-stories.gguf");

    @Test
    void tokenizesAndGeneratesTheSameIdsAsPyTorch() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(FOLDER.resolve("greedy-reference.json").toFile());
        try (GgufFile file = GgufFile.open(MODEL)) {
            Llama model = Llama.load(file);
            SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(Vocabulary.from(file.metadata()));
            assertThat(reference.get("samples").size()).isPositive();
            for (Map.Entry<String, JsonNode> sample : reference.get("samples").properties()) {
                int[] prompt = tokenizer.encode(sample.getKey(), true);
                assertThat(prompt).as("prompt ids of " + sample.getKey()).isEqualTo(ints(sample.getValue().get("prompt_ids")));
                int[] expected = ints(sample.getValue().get("greedy_ids"));
                // where PyTorch met the end-of-story token, one more step must meet it here too
                boolean endedAtEos = sample.getValue().get("stop").asText().equals("eos");
                List<Integer> generated = greedy(model, tokenizer, prompt, expected.length + (endedAtEos ? 1 : 0));
                assertThat(generated).as("greedy ids after " + sample.getKey()).containsExactly(boxed(expected));
            }
        }
    }

    @Test
    void greedyStoryUsesOnlyCorpusWords() throws IOException {
        Set<String> words = new HashSet<>(Files.readAllLines(FOLDER.resolve("words.txt")));
        try (GgufFile file = GgufFile.open(MODEL)) {
            Llama model = Llama.load(file);
            SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(Vocabulary.from(file.metadata()));
            List<Integer> generated = greedy(model, tokenizer, tokenizer.encode("Once upon a time", true), 120);
            String story = tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray());

            List<String> storyWords = List.of(story.replaceAll("[.,!\"]", " ").trim().split("\\s+"));
            assertThat(storyWords).as(story).hasSizeGreaterThan(10);
            assertThat(words).as(story).containsAll(storyWords);
            assertThat(story).as("sentences end with a full stop").contains(".");
        }
    }

    private static List<Integer> greedy(Llama model, SentencePieceTokenizer tokenizer, int[] prompt, int maxTokens) {
        List<Integer> generated = new ArrayList<>();
        int budget = Math.min(maxTokens, model.config().contextLength() - prompt.length);
        LlamaState state = new LlamaState(model.config(), prompt.length + budget, false);
        Generation.generate(model, state, prompt, budget, tokenizer.vocabulary().eos(), Sampler.greedy(), generated::add);
        return generated;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static Integer[] boxed(int[] values) {
        return java.util.Arrays.stream(values).boxed().toArray(Integer[]::new);
    }
}
