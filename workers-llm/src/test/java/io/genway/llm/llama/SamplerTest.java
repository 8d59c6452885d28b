package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.genway.schemas.SamplingParams;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    @Test
    void greedyTakesTheLowestIdAmongEqualMaxima() {
        assertThat(Sampler.greedy().sample(new float[] {0f, 3f, 1f, 3f})).isEqualTo(1);
    }

    @Test
    void drawsTheSameTokensFromTheSameSeed() {
        float[] logits = {1f, 1.5f, 0.5f, 2f, 1.2f};
        Sampler a = Sampler.truncated(1.0, 0, 0.95, 0, new SplittableRandom(7));
        Sampler b = Sampler.truncated(1.0, 0, 0.95, 0, new SplittableRandom(7));

        for (int i = 0; i < 50; i++) assertThat(a.sample(logits.clone())).isEqualTo(b.sample(logits.clone()));
    }

    @Test
    void aTinyTopPKeepsOnlyTheMostLikelyToken() {
        Sampler sampler = Sampler.truncated(1.5, 0, 1e-6, 0, new SplittableRandom(1));

        for (int i = 0; i < 20; i++) assertThat(sampler.sample(new float[] {1f, 4f, 2f})).isEqualTo(1);
    }

    @Test
    void drawsEveryTokenOfTheNucleusSometimes() {
        Sampler sampler = Sampler.truncated(1.0, 0, 1.0, 0, new SplittableRandom(3));
        boolean[] seen = new boolean[3];

        for (int i = 0; i < 200; i++) seen[sampler.sample(new float[] {0f, 0.1f, 0.2f})] = true;

        assertThat(seen).containsOnly(true);
    }

    @Test
    void frequencyAndPresencePenaltiesLowerTheLogitsOfTokensAlreadyChosen() {
        float[] seen = new float[3];
        Sampler sampler = Sampler.penalized(logits -> {
            System.arraycopy(logits, 0, seen, 0, logits.length);
            return 1;
        }, new int[0], 0.5, 0.25, 1);

        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f, 2f);
        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f - 0.5f - 0.25f, 2f);
        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f - 2 * 0.5f - 0.25f, 2f);
    }

    @Test
    void aPresencePenaltyStopsGreedyFromRepeatingAToken() {
        Sampler sampler = Sampler.penalized(Sampler.greedy(), new int[0], 0, 1.0, 1);

        assertThat(sampler.sample(new float[] {0f, 1.5f, 1f})).isEqualTo(1);
        assertThat(sampler.sample(new float[] {0f, 1.5f, 1f})).isEqualTo(2);
    }

    @Test
    void zeroPenaltiesLeaveTheSamplerAsItIs() {
        Sampler greedy = Sampler.greedy();

        assertThat(Sampler.penalized(greedy, new int[] {1, 2}, 0, 0, 1)).isSameAs(greedy);
    }

    @Test
    void topKDrawsOnlyTheKMostLikelyTokensAndEachOfThem() {
        Sampler sampler = Sampler.truncated(1.0, 2, 1.0, 0, new SplittableRandom(5));
        int[] drawn = new int[4];

        for (int i = 0; i < 400; i++) drawn[sampler.sample(new float[] {0f, 1f, 0.9f, 0.5f})]++;

        assertThat(drawn[0]).isZero();
        assertThat(drawn[3]).isZero();
        assertThat(drawn[1]).isPositive();
        assertThat(drawn[2]).isPositive();
    }

    @Test
    void minPDropsTokensLessLikelyThanItsShareOfTheMostLikely() {
        // relative probabilities 1, e^-1 = 0.37, e^-3 = 0.05: min_p 0.1 keeps the first two
        Sampler sampler = Sampler.truncated(1.0, 0, 1.0, 0.1, new SplittableRandom(9));
        int[] drawn = new int[3];

        for (int i = 0; i < 400; i++) drawn[sampler.sample(new float[] {3f, 2f, 0f})]++;

        assertThat(drawn[2]).isZero();
        assertThat(drawn[0]).isPositive();
        assertThat(drawn[1]).isPositive();
    }

    @Test
    void topPIsTakenOverTheTopKRenormalised() {
        float[] logits = {(float) Math.log(0.4), (float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.1)};
        // over all four, a nucleus of 0.5 needs tokens 0 and 1; over the top 2 (0.57, 0.43), token 0 alone
        Sampler nucleus = Sampler.truncated(1.0, 0, 0.5, 0, new SplittableRandom(11));
        Sampler topKThenNucleus = Sampler.truncated(1.0, 2, 0.5, 0, new SplittableRandom(11));
        boolean[] nucleusDrew = new boolean[4];

        for (int i = 0; i < 300; i++) {
            nucleusDrew[nucleus.sample(logits.clone())] = true;
            assertThat(topKThenNucleus.sample(logits.clone())).isZero();
        }

        assertThat(nucleusDrew).containsExactly(true, true, false, false);
    }

    @Test
    void drawsExactlyWhatAFullSortWouldWhenTheTailDecidesTheNucleus() {
        // one likely token and a long tail below the first sorting floor that holds most of the mass
        SplittableRandom values = new SplittableRandom(17);
        float[] logits = new float[20_000];
        for (int i = 0; i < logits.length; i++) logits[i] = i == 123 ? 0f : -10f + (float) values.nextDouble(0, 0.5);
        for (double topP : new double[] {0.3, 0.9}) {
            for (int topK : new int[] {0, 10, 15_000}) {
                for (double minP : new double[] {0, 5e-5}) {
                    Sampler sampler = Sampler.truncated(0.9, topK, topP, minP, new SplittableRandom(3));
                    SplittableRandom reference = new SplittableRandom(3);
                    for (int draw = 0; draw < 10; draw++) {
                        assertThat(sampler.sample(logits.clone())).as("top_k %d, top_p %s, min_p %s", topK, topP, minP)
                                .isEqualTo(fullSort(logits.clone(), 0.9f, topK, topP, minP, reference));
                    }
                }
            }
        }
    }

    /** The truncations the plain way: every token sorted, then each cut in turn. */
    private static int fullSort(float[] logits, float temperature, int topK, double topP, double minP, SplittableRandom random) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) max = Math.max(max, logits[i] /= temperature);
        float[] p = new float[logits.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) total += p[i] = (float) Math.exp(logits[i] - max);
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> p[a] != p[b] ? Float.compare(p[b], p[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        double kMass = 0;
        for (int i = 0; i < keep; i++) kMass += p[order[i]];
        if (topP < 1) {
            double need = topP * (topK > 0 ? kMass : total);
            double running = 0;
            int i = 0;
            while (i < keep) {
                running += p[order[i++]];
                if (running >= need) break;
            }
            keep = i;
        }
        while (keep > 1 && p[order[keep - 1]] < minP) keep--;
        double mass = 0;
        for (int i = 0; i < keep; i++) mass += p[order[i]];
        double draw = random.nextDouble() * mass;
        double running = 0;
        for (int i = 0; i < keep; i++) {
            running += p[order[i]];
            if (draw < running) return order[i];
        }
        return order[keep - 1];
    }

    @Test
    void theRepetitionPenaltyShrinksLogitsOfPromptAndChosenTokensTowardsZero() {
        float[] seen = new float[4];
        Sampler sampler = Sampler.penalized(logits -> {
            System.arraycopy(logits, 0, seen, 0, logits.length);
            return 3;
        }, new int[] {0, 2}, 0, 0, 2);

        sampler.sample(new float[] {2f, 2f, -1f, 4f});
        assertThat(seen).containsExactly(1f, 2f, -2f, 4f);
        sampler.sample(new float[] {2f, 2f, -1f, 4f});
        assertThat(seen).containsExactly(1f, 2f, -2f, 2f);
    }

    @Test
    void aRepetitionPenaltyTurnsGreedyAwayFromThePrompt() {
        Sampler sampler = Sampler.of(new SamplingParams(8, 0, 1, 0, 0, 0, 0, 1.5, List.of()), new int[] {1}, new SplittableRandom(1));

        assertThat(sampler.sample(new float[] {0f, 1.4f, 1f})).isEqualTo(2);
    }
}
