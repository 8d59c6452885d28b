package io.genway.llm.llama;

import static org.assertj.core.api.Assertions.assertThat;

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
        Sampler a = Sampler.of(1.0, 0.95, new SplittableRandom(7));
        Sampler b = Sampler.of(1.0, 0.95, new SplittableRandom(7));

        for (int i = 0; i < 50; i++) assertThat(a.sample(logits.clone())).isEqualTo(b.sample(logits.clone()));
    }

    @Test
    void aTinyTopPKeepsOnlyTheMostLikelyToken() {
        Sampler sampler = Sampler.of(1.5, 1e-6, new SplittableRandom(1));

        for (int i = 0; i < 20; i++) assertThat(sampler.sample(new float[] {1f, 4f, 2f})).isEqualTo(1);
    }

    @Test
    void drawsEveryTokenOfTheNucleusSometimes() {
        Sampler sampler = Sampler.of(1.0, 1.0, new SplittableRandom(3));
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
        }, 0.5, 0.25);

        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f, 2f);
        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f - 0.5f - 0.25f, 2f);
        sampler.sample(new float[] {2f, 2f, 2f});
        assertThat(seen).containsExactly(2f, 2f - 2 * 0.5f - 0.25f, 2f);
    }

    @Test
    void aPresencePenaltyStopsGreedyFromRepeatingAToken() {
        Sampler sampler = Sampler.penalized(Sampler.greedy(), 0, 1.0);

        assertThat(sampler.sample(new float[] {0f, 1.5f, 1f})).isEqualTo(1);
        assertThat(sampler.sample(new float[] {0f, 1.5f, 1f})).isEqualTo(2);
    }

    @Test
    void zeroPenaltiesLeaveTheSamplerAsItIs() {
        Sampler greedy = Sampler.greedy();

        assertThat(Sampler.penalized(greedy, 0, 0)).isSameAs(greedy);
    }
}
