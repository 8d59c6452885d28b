package io.genway.llm.llama;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/** Picks the next token from logits. Stateful samplers hold their own seeded random; one per sequence. */
@FunctionalInterface
public interface Sampler {

    /** The chosen token; may overwrite {@code logits}. */
    int sample(float[] logits);

    /** The highest logit, the lowest id on ties. */
    static Sampler greedy() {
        return logits -> {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) best = i;
            }
            return best;
        };
    }

    /** Greedy at temperature 0; otherwise softmax at {@code temperature}, cut to the top-p nucleus, drawn from {@code random}. */
    static Sampler of(double temperature, double topP, SplittableRandom random) {
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
        Objects.requireNonNull(random, "random");
        return temperature == 0 ? greedy() : new Nucleus((float) temperature, topP, random);
    }

    /**
     * {@code next} after OpenAI's repetition penalties over the tokens this sampler has chosen so far:
     * {@code logit[t] -= count[t] * frequency + (count[t] > 0 ? presence : 0)}. Zero penalties give {@code next} itself.
     */
    static Sampler penalized(Sampler next, double frequency, double presence) {
        Objects.requireNonNull(next, "next");
        if (!Double.isFinite(frequency)) throw new IllegalArgumentException("frequency_penalty must be finite, was " + frequency);
        if (!Double.isFinite(presence)) throw new IllegalArgumentException("presence_penalty must be finite, was " + presence);
        return frequency == 0 && presence == 0 ? next : new Penalized(next, (float) frequency, (float) presence);
    }

    /** Counts its own choices, which are the sequence's generated tokens; one per sequence like the sampler it wraps. */
    final class Penalized implements Sampler {
        private final Sampler next;
        private final float frequency;
        private final float presence;
        private int[] counts = new int[0]; // (vocab) times each token was chosen

        Penalized(Sampler next, float frequency, float presence) {
            this.next = next;
            this.frequency = frequency;
            this.presence = presence;
        }

        @Override
        public int sample(float[] logits) {
            if (counts.length < logits.length) counts = Arrays.copyOf(counts, logits.length);
            for (int t = 0; t < logits.length; t++) {
                if (counts[t] > 0) logits[t] -= counts[t] * frequency + presence;
            }
            int token = next.sample(logits);
            counts[token]++;
            return token;
        }
    }

    /** Top-p sampling: the smallest set of most likely tokens whose probabilities sum to at least {@code topP}. */
    final class Nucleus implements Sampler {
        private final float temperature;
        private final double topP;
        private final SplittableRandom random;

        Nucleus(float temperature, double topP, SplittableRandom random) {
            this.temperature = temperature;
            this.topP = topP;
            this.random = random;
        }

        @Override
        public int sample(float[] logits) {
            for (int i = 0; i < logits.length; i++) logits[i] /= temperature;
            Llama.softmax(logits, logits.length);
            Integer[] order = new Integer[logits.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            // by probability, then by id so that the draw is reproducible whatever the sort's stability
            Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            double cumulative = 0;
            int keep = 0;
            while (keep < order.length) {
                cumulative += logits[order[keep++]];
                if (cumulative >= topP) break;
            }
            double draw = random.nextDouble() * cumulative;
            double running = 0;
            for (int i = 0; i < keep; i++) {
                running += logits[order[i]];
                if (draw < running) return order[i];
            }
            return order[keep - 1];
        }
    }
}
