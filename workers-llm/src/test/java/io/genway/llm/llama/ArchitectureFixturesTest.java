package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.gguf.GgufFormatException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiny random Qwen2 and Mistral models, written as GGUF the way llama.cpp's converter writes them, give the logits
 * and greedy tokens transformers gives (see {@code workers-llm/reference/make_arch_fixtures.py}): qwen2 exercises
 * Q/K/V biases, NeoX RoPE and a tied output; mistral (architecture llama) permuted Q/K and a sliding window shorter
 * than the sequences.
 */
class ArchitectureFixturesTest {
    /** Allowed |genway - transformers| per logit, relative to the largest |logit| at that position (at least 1). */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    /** One reference sequence: its prompt, transformers' greedy continuation, and logits at every position of both. */
    private record Case(int[] prompt, int[] greedy, float[][] logits) {
        int[] all() {
            int[] all = new int[prompt.length + greedy.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(greedy, 0, all, prompt.length, greedy.length);
            return all;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "mistral"})
    void logitsAtEveryPositionAreTransformers(String name) throws Exception {
        try (GgufFile file = GgufFile.open(resource(name + "-tiny.gguf"))) {
            Llama model = Llama.load(file);
            for (Case c : cases(name)) {
                int[] all = c.all();
                LlamaState state = new LlamaState(model.config(), all.length, false);
                for (int pos = 0; pos < all.length; pos++) {
                    assertClose(model.forward(state, all[pos], pos), c.logits()[pos], name + " position " + pos);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "mistral"})
    void greedyContinuationIsTransformers(String name) throws Exception {
        try (GgufFile file = GgufFile.open(resource(name + "-tiny.gguf"))) {
            Llama model = Llama.load(file);
            for (Case c : cases(name)) {
                List<Integer> generated = new ArrayList<>();
                LlamaState state = new LlamaState(model.config(), c.prompt().length + c.greedy().length, false);

                Generation.generate(model, state, c.prompt(), c.greedy().length, -1, Sampler.greedy(), generated::add);

                assertThat(generated).as(name).containsExactly(boxed(c.greedy()));
            }
        }
    }

    /**
     * Two sequences share every step: the first prefills its prompt in one slice while the second goes token by
     * token, then both decode greedily. Each gets transformers' tokens and, bit for bit, the logits it gets alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "mistral"})
    void batchedWithAnotherSequenceEachGetsItsGreedyTokensAndItsAloneLogits(String name) throws Exception {
        try (GgufFile file = GgufFile.open(resource(name + "-tiny.gguf"))) {
            Llama model = Llama.load(file);
            List<Case> cases = cases(name);
            int vocab = model.config().vocabularySize();
            KvCache cache = new KvCache(model.config(), 16, 4, false);
            Llama.Workspace ws = model.workspace(32, 2);
            KvCache.Sequence[] kv = new KvCache.Sequence[2];
            int[][] tokens = new int[2][];
            int[] done = new int[2];      // positions run
            int[] generated = new int[2];
            for (int s = 0; s < 2; s++) {
                Case c = cases.get(s);
                kv[s] = cache.reserve(c.prompt().length + c.greedy().length);
                tokens[s] = new int[c.prompt().length + c.greedy().length];
                System.arraycopy(c.prompt(), 0, tokens[s], 0, c.prompt().length);
            }
            float[][] logits = {new float[vocab], new float[vocab]};
            while (generated[0] < cases.get(0).greedy().length || generated[1] < cases.get(1).greedy().length) {
                List<Llama.Slice> slices = new ArrayList<>();
                List<Integer> who = new ArrayList<>();
                for (int s = 1; s >= 0; s--) {
                    Case c = cases.get(s);
                    if (generated[s] == c.greedy().length) continue;
                    int count = done[s] < c.prompt().length ? (s == 0 ? c.prompt().length : 1) : 1;
                    boolean wantsLogits = done[s] + count >= c.prompt().length;
                    slices.add(new Llama.Slice(kv[s], tokens[s], done[s], count, done[s], wantsLogits ? logits[s] : null));
                    who.add(s);
                    done[s] += count;
                }
                model.step(ws, slices);
                for (int s : who) {
                    Case c = cases.get(s);
                    if (done[s] < c.prompt().length) continue;
                    int pos = done[s] - 1;
                    assertClose(logits[s], c.logits()[pos], name + " batched sequence " + s + " position " + pos);
                    assertThat(logits[s]).as("%s sequence %d position %d, batched vs alone", name, s, pos).containsExactly(alone(model, c, pos));
                    int next = Sampler.greedy().sample(logits[s]);
                    assertThat(next).as("%s batched sequence %d greedy token %d", name, s, generated[s]).isEqualTo(c.greedy()[generated[s]]);
                    tokens[s][done[s]] = next;
                    generated[s]++;
                }
            }
        }
    }

    @Test
    void theMistralFixturesWindowIsReadAndItsLogitsNeedIt() throws Exception {
        try (GgufFile file = GgufFile.open(resource("mistral-tiny.gguf"))) {
            Llama windowed = Llama.load(file);
            assertThat(windowed.config().slidingWindow()).isEqualTo(6);
            assertThat(windowed.config().ropeOrder()).isEqualTo(RopeOrder.NORMAL);
            LlamaConfig c = windowed.config();
            Llama everything = new Llama(new LlamaConfig(c.dim(), c.layers(), c.heads(), c.kvHeads(), c.ffnDim(), c.vocabularySize(),
                    c.contextLength(), c.rmsEpsilon(), c.ropeBase(), c.ropeDimensions(), c.ropeOrder(), c.qkvBias(), 0), windowed.weights());
            Case first = cases("mistral").getFirst();
            int last = first.all().length - 1;

            assertThat(maxDifference(alone(everything, first, last), first.logits()[last])).isGreaterThan(0.1);
        }
    }

    @Test
    void theQwen2FixtureHasBiasesNeoxRopeAndATiedOutput() throws Exception {
        try (GgufFile file = GgufFile.open(resource("qwen2-tiny.gguf"))) {
            Llama model = Llama.load(file);

            assertThat(model.config().ropeOrder()).isEqualTo(RopeOrder.NEOX);
            assertThat(model.config().slidingWindow()).isZero();
            assertThat(model.weights().layers()[0].qBias()).hasSize(model.config().dim());
            assertThat(model.weights().layers()[1].vBias()).hasSize(model.config().kvDim());
            assertThat(model.weights().output()).isSameAs(model.weights().tokenEmbedding());
        }
    }

    @Test
    void anUnknownArchitectureIsRefusedByName() throws IOException {
        Path path = dir.resolve("gptj.gguf");
        TinyLlamaFile.write(path, GgmlType.F32, false, "gptj");
        try (GgufFile file = GgufFile.open(path)) {
            assertThatThrownBy(() -> Llama.load(file)).isInstanceOf(GgufFormatException.class)
                    .hasMessage("general.architecture = gptj is not supported (llama, mistral, qwen2)");
        }
    }

    @Test
    void aQwen2FileWithoutItsQueryBiasIsRefusedNamingTheTensor() throws IOException {
        Path path = dir.resolve("qwen2.gguf");
        TinyLlamaFile.write(path, GgmlType.F32, true, "qwen2");
        try (GgufFile file = GgufFile.open(path)) {
            assertThatThrownBy(() -> Llama.load(file)).isInstanceOf(GgufFormatException.class)
                    .hasMessage("missing tensor blk.0.attn_q.bias");
        }
    }

    @Test
    void aMistralNamedFileReadsItsKeysUnderMistral() throws IOException {
        Path llamaPath = dir.resolve("llama.gguf");
        Path mistralPath = dir.resolve("mistral.gguf");
        TinyLlamaFile.write(llamaPath, GgmlType.F32, false, "llama");
        TinyLlamaFile.write(mistralPath, GgmlType.F32, false, "mistral");
        try (GgufFile llama = GgufFile.open(llamaPath); GgufFile mistral = GgufFile.open(mistralPath)) {
            assertThat(Llama.load(mistral).config()).isEqualTo(Llama.load(llama).config());
        }
    }

    private static float[] alone(Llama model, Case c, int upTo) {
        LlamaState state = new LlamaState(model.config(), upTo + 1, false);
        int[] all = c.all();
        float[] logits = null;
        for (int pos = 0; pos <= upTo; pos++) logits = model.forward(state, all[pos], pos);
        return logits.clone();
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        double scale = 1;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        assertThat(maxDifference(actual, expected)).as(what).isLessThanOrEqualTo(TOLERANCE * scale);
    }

    private static double maxDifference(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        return max;
    }

    private static List<Case> cases(String name) throws IOException, URISyntaxException {
        JsonNode root = new ObjectMapper().readTree(resource(name + "-reference.json").toFile());
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            JsonNode rows = c.get("logits");
            float[][] logits = new float[rows.size()][];
            for (int p = 0; p < rows.size(); p++) {
                logits[p] = new float[rows.get(p).size()];
                for (int i = 0; i < logits[p].length; i++) logits[p][i] = (float) rows.get(p).get(i).asDouble();
            }
            cases.add(new Case(ints(c.get("prompt")), ints(c.get("greedy")), logits));
        }
        assertThat(cases).hasSize(2);
        return cases;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static Integer[] boxed(int[] values) {
        Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ArchitectureFixturesTest.class.getResource("/arch/" + name).toURI());
    }
}
