package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.SharedModels;
import io.genway.llm.tokenizer.SentencePieceTokenizer;
import io.genway.llm.tokenizer.Vocabulary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaGreedyTest {

    @Test
    void generatesExactlyLlamaCppsGreedyTokens() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(SharedModels.stories260KReference().toFile());
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            Llama model = Llama.load(file);
            SentencePieceTokenizer tokenizer = new SentencePieceTokenizer(Vocabulary.from(file.metadata()));

            assertThat(reference.get("greedy")).isNotEmpty();
            for (JsonNode c : reference.get("greedy")) {
                int[] prompt = tokenizer.encode(c.get("prompt").asText(), true);
                int n = c.get("n_predict").asInt();
                List<Integer> generated = new ArrayList<>();
                LlamaState state = new LlamaState(model.config(), prompt.length + n, true);

                Generation.generate(model, state, prompt, n, -1, Sampler.greedy(), generated::add);

                List<Integer> expected = new ArrayList<>();
                c.get("generated_token_ids").forEach(id -> expected.add(id.asInt()));
                assertThat(generated).as(c.get("prompt").asText()).isEqualTo(expected);
            }
        }
    }
}
