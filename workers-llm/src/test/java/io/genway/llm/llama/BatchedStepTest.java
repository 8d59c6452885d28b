package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.llm.gguf.GgmlType;
import io.genway.llm.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batched step gives each sequence exactly the logits it gets run alone, one token at a time. */
class BatchedStepTest {
    @TempDir
    Path dir;

    @Test
    void sequencesMixingPromptChunksAndDecodeRowsGetTheirSingleSequenceLogitsBitForBit() throws IOException {
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q8_0, GgmlType.Q4_0}) {
          for (Activations activations : Activations.values()) {
            Path path = dir.resolve(type + ".gguf");
            TinyLlamaFile.write(path, type, false);
            try (GgufFile file = GgufFile.open(path)) {
                Llama model = Llama.load(file);
                int[][] tokens = {{1, 5, 9, 2, 7, 3, 30, 11}, {4, 4, 8}, {17, 2, 29, 6, 5}};

                // alone: one token per step, one sequence at a time
                List<List<float[]>> alone = new ArrayList<>();
                for (int[] seq : tokens) {
                    KvCache own = new KvCache(model.config(), 2, 4, true);
                    KvCache.Sequence kvAlone = own.reserve(seq.length);
                    Llama.Workspace one = model.workspace(1, 1, activations);
                    List<float[]> logits = new ArrayList<>();
                    for (int p = 0; p < seq.length; p++) {
                        float[] out = new float[model.config().vocabularySize()];
                        model.step(one, List.of(new Llama.Slice(kvAlone, seq, p, 1, p, out)));
                        logits.add(out);
                    }
                    alone.add(logits);
                }

                // batched: sequence 0 prefills in chunks of 3 while 1 and 2 go token by token, all in shared steps
                KvCache cache = new KvCache(model.config(), 8, 4, true);
                KvCache.Sequence[] kv = {cache.reserve(8), cache.reserve(3), cache.reserve(5)};
                Llama.Workspace ws = model.workspace(8, 3, activations);
                int[] done = new int[3];
                int[] chunk = {3, 1, 1};
                List<List<float[]>> batched = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                while (done[0] < 8 || done[1] < 3 || done[2] < 5) {
                    List<Llama.Slice> slices = new ArrayList<>();
                    List<float[]> outs = new ArrayList<>();
                    List<Integer> who = new ArrayList<>();
                    for (int s = 2; s >= 0; s--) { // a different order from the one alone, on purpose
                        if (done[s] == tokens[s].length) continue;
                        int count = Math.min(chunk[s], tokens[s].length - done[s]);
                        float[] logits = new float[model.config().vocabularySize()];
                        slices.add(new Llama.Slice(kv[s], tokens[s], done[s], count, done[s], logits));
                        outs.add(logits);
                        who.add(s);
                        done[s] += count;
                    }
                    model.step(ws, slices);
                    for (int i = 0; i < who.size(); i++) batched.get(who.get(i)).add(outs.get(i));
                }

                for (int s = 0; s < 3; s++) {
                    // sequence 0 gets logits only after each chunk's last token: positions 2, 5, 7
                    List<float[]> expected = s == 0 ? List.of(alone.get(0).get(2), alone.get(0).get(5), alone.get(0).get(7)) : alone.get(s);
                    assertThat(batched.get(s)).as("%s sequence %d", type, s).hasSameSizeAs(expected);
                    for (int i = 0; i < expected.size(); i++) {
                        assertThat(batched.get(s).get(i)).as("%s %s sequence %d logits %d", type, activations, s, i).containsExactly(expected.get(i));
                    }
                }
            }
          }
        }
    }

    @Test
    void releasedBlocksGoBackToThePoolAndAWorstCaseThatDoesNotFitIsRefused() throws IOException {
        Path path = dir.resolve("f32.gguf");
        TinyLlamaFile.write(path, GgmlType.F32, false);
        try (GgufFile file = GgufFile.open(path)) {
            LlamaConfig config = Llama.load(file).config();
            KvCache cache = new KvCache(config, 4, 16, false);

            KvCache.Sequence a = cache.reserve(33); // 3 blocks
            assertThat(cache.freeBlocks()).isEqualTo(1);
            assertThat(cache.freeBytes()).isEqualTo(16 * KvCache.bytesPerToken(config));
            assertThat(cache.reserve(17)).isNull();
            cache.release(a);
            cache.release(a);
            assertThat(cache.freeBlocks()).isEqualTo(4);
            assertThat(cache.reserve(64)).isNotNull();
            assertThat(KvCache.bytesPerToken(config)).isEqualTo(2L * TinyLlamaFile.LAYERS * TinyLlamaFile.KV_DIM * 4);
        }
    }
}
