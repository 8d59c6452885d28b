package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.SharedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaTest {
    @TempDir
    Path dir;

    @Test
    void readsTheConfigOfStories260K() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            LlamaConfig c = LlamaConfig.from(file.metadata());

            assertThat(c).isEqualTo(new LlamaConfig(64, 5, 8, 4, 172, 512, 2048, 1e-5f, 10000f, 8, RopeOrder.NORMAL, false, 0));
            assertThat(c.headDim()).isEqualTo(8);
            assertThat(c.kvDim()).isEqualTo(32);
        }
    }

    @Test
    void quantizedWeightsPredictLikeTheirF32Originals() throws IOException {
        float[] f32 = logitsAfterThreeTokens(GgmlType.F32);

        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            float[] quantized = logitsAfterThreeTokens(type);
            float worst = 0;
            for (int i = 0; i < f32.length; i++) worst = Math.max(worst, Math.abs(quantized[i] - f32[i]));
            float tolerance = type == GgmlType.Q4_0 ? 0.5f : type == GgmlType.BF16 ? 0.1f : 0.05f;
            assertThat(worst).as("largest logit error for %s", type).isLessThan(tolerance);
        }
    }

    private float[] logitsAfterThreeTokens(GgmlType type) throws IOException {
        Path path = dir.resolve(type + ".gguf");
        TinyLlamaFile.write(path, type, false);
        try (GgufFile file = GgufFile.open(path)) {
            Llama model = Llama.load(file);
            LlamaState state = new LlamaState(model.config(), 8, false);
            model.forward(state, 1, 0);
            model.forward(state, 5, 1);
            return model.forward(state, 9, 2).clone();
        }
    }

    @Test
    void tiesTheOutputToTheEmbeddingWhenTheFileHasNoOutputTensor() throws IOException {
        Path path = dir.resolve("tied.gguf");
        TinyLlamaFile.write(path, GgmlType.F32, true);

        try (GgufFile file = GgufFile.open(path)) {
            LlamaWeights weights = Llama.load(file).weights();
            assertThat(weights.output()).isSameAs(weights.tokenEmbedding());
        }
    }

    @Test
    void namesTheTensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        Path path = dir.resolve("bad.gguf");
        TinyLlamaFile.write(path, GgmlType.F32, false);
        try (GgufFile file = GgufFile.open(path)) {
            LlamaConfig wider = new LlamaConfig(64, 2, 4, 2, 128, 32, 64, 1e-5f, 10000f, 16, RopeOrder.NORMAL, false, 0);

            assertThatThrownBy(() -> LlamaWeights.load(file, wider)).isInstanceOf(GgufFormatException.class)
                    .hasMessageContaining("blk.0.ffn_gate.weight");
        }
    }

    @Test
    void neoxPairingWouldNotReproduceLlamaCppOnALlamaModel() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            Llama normal = Llama.load(file);
            Llama neox = new Llama(normal.config().withRopeOrder(RopeOrder.NEOX), normal.weights());
            int[] prompt = {1, 403, 407, 261, 378}; // "Once upon a time"

            assertThat(greedy(neox, prompt, 16)).isNotEqualTo(greedy(normal, prompt, 16));
        }
    }

    @Test
    void stopsAtTheEndOfSequenceTokenWithoutEmittingIt() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            Llama model = Llama.load(file);
            int[] prompt = {1, 403, 407, 261, 378};
            int firstToken = greedy(model, prompt, 1).getFirst();
            List<Integer> out = new ArrayList<>();

            Generation.Result result = Generation.generate(model, new LlamaState(model.config(), 16, true), prompt, 8,
                    firstToken, Sampler.greedy(), out::add);

            assertThat(out).isEmpty();
            assertThat(result).isEqualTo(new Generation.Result(5, 0, Generation.Stop.END_OF_SEQUENCE));
        }
    }

    @Test
    void stopsWhenTheSinkSaysSo() throws IOException {
        try (GgufFile file = GgufFile.open(SharedModels.stories260K())) {
            Llama model = Llama.load(file);
            List<Integer> out = new ArrayList<>();

            Generation.Result result = Generation.generate(model, new LlamaState(model.config(), 16, true), new int[] {1}, 8,
                    -1, Sampler.greedy(), token -> out.add(token) && out.size() < 3);

            assertThat(out).hasSize(3);
            assertThat(result.stop()).isEqualTo(Generation.Stop.SINK);
        }
    }

    private static List<Integer> greedy(Llama model, int[] prompt, int n) {
        List<Integer> out = new ArrayList<>();
        Generation.generate(model, new LlamaState(model.config(), prompt.length + n, true), prompt, n, -1, Sampler.greedy(), out::add);
        return out;
    }
}
