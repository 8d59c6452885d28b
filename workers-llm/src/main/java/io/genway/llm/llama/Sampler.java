package io.genway.llm.llama;

import io.genway.schemas.SamplingParams;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/** Picks the next token from logits. Stateful samplers hold their own seeded random; one per sequence. */
@FunctionalInterface
public interface Sampler {

    /** The chosen token; may overwrite {@code logits}. */
    int sample(float[] logits);

    /**
     * A request's sampler, in vLLM's order: the penalties on the raw logits, then temperature, top-k, top-p and
     * min-p; greedy at temperature 0 (after the penalties).
     */
    static Sampler of(SamplingParams params, int[] prompt, SplittableRandom random) {
        Sampler draw = params.greedy() ? greedy() : truncated(params.temperature(), params.topK(), params.topP(), params.minP(), random);
        return penalized(draw, prompt, params.frequencyPenalty(), params.presencePenalty(), params.repetitionPenalty());
    }

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

    /**
     * Softmax at {@code temperature}, cut to the {@code topK} most likely tokens (0: no cut), then to the top-p
     * nucleus of those, then to the tokens at least {@code minP} times as likely as the most likely one (0: no cut);
     * drawn from {@code random}. Greedy at temperature 0.
     */
    static Sampler truncated(double temperature, int topK, double topP, double minP, SplittableRandom random) {
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, was " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], was " + minP);
        Objects.requireNonNull(random, "random");
        return temperature == 0 ? greedy() : new Truncated((float) temperature, topK, topP, (float) minP, random);
    }

    /**
     * {@code next} after the penalties. OpenAI's, over the tokens this sampler has chosen so far:
     * {@code logit[t] -= count[t] * frequency + (count[t] > 0 ? presence : 0)}; and the repetition penalty (as in
     * vLLM and transformers) over those and the {@code prompt}'s tokens: a positive logit is divided by it, a
     * negative one multiplied. No penalties (0, 0 and 1) give {@code next} itself.
     */
    static Sampler penalized(Sampler next, int[] prompt, double frequency, double presence, double repetition) {
        Objects.requireNonNull(next, "next");
        if (!Double.isFinite(frequency)) throw new IllegalArgumentException("frequency_penalty must be finite, was " + frequency);
        if (!Double.isFinite(presence)) throw new IllegalArgumentException("presence_penalty must be finite, was " + presence);
        if (!(repetition > 0 && Double.isFinite(repetition))) throw new IllegalArgumentException("repetition_penalty must be > 0, was " + repetition);
        if (frequency == 0 && presence == 0 && repetition == 1) return next;
        return new Penalized(next, repetition == 1 ? new int[0] : prompt.clone(), (float) frequency, (float) presence, (float) repetition);
    }

    /** Counts its own choices, which are the sequence's generated tokens; one per sequence like the sampler it wraps. */
    final class Penalized implements Sampler {
        private final Sampler next;
        private final int[] prompt;
        private final float frequency;
        private final float presence;
        private final float repetition;
        private int[] counts = new int[0]; // (vocab) times each token was chosen
        private boolean[] seen = new boolean[0]; // (vocab) in the prompt or chosen, for the repetition penalty

        Penalized(Sampler next, int[] prompt, float frequency, float presence, float repetition) {
            this.next = next;
            this.prompt = prompt;
            this.frequency = frequency;
            this.presence = presence;
            this.repetition = repetition;
        }

        @Override
        public int sample(float[] logits) {
            if (counts.length < logits.length) grow(logits.length);
            for (int t = 0; t < logits.length; t++) {
                if (seen[t]) logits[t] = logits[t] > 0 ? logits[t] / repetition : logits[t] * repetition;
                if (counts[t] > 0) logits[t] -= counts[t] * frequency + presence;
            }
            int token = next.sample(logits);
            counts[token]++;
            seen[token] = true;
            return token;
        }

        private void grow(int vocab) {
            counts = Arrays.copyOf(counts, vocab);
            seen = Arrays.copyOf(seen, vocab);
            for (int id : prompt) {
                if (id >= 0 && id < vocab) seen[id] = true;
            }
        }
    }

    /**
     * The truncations over relative probabilities {@code exp((logit - max) / T)}, the most likely token's being 1.
     * The kept tokens are ordered by probability, then id, so a draw is reproducible whatever the sort; only the
     * tokens above {@link #FIRST_FLOOR} are sorted when they decide the cut alone (the same cut, found sooner).
     */
    final class Truncated implements Sampler {
        /** Relative probability below which tokens are sorted only when the likelier ones do not decide the cut. */
        static final float FIRST_FLOOR = 1e-4f;
        private final float temperature;
        private final int topK;
        private final double topP;
        private final float minP;
        private final SplittableRandom random;
        private long[] order = new long[0]; // (vocab) sort keys: descending probability, then id

        Truncated(float temperature, int topK, double topP, float minP, SplittableRandom random) {
            this.temperature = temperature;
            this.topK = topK;
            this.topP = topP;
            this.minP = minP;
            this.random = random;
        }

        @Override
        public int sample(float[] logits) {
            int n = logits.length;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) max = Math.max(max, logits[i] /= temperature);
            double total = 0;
            for (int i = 0; i < n; i++) total += logits[i] = (float) Math.exp(logits[i] - max);
            if (topK == 0 && topP >= 1) return drawInIdOrder(logits);
            if (order.length < n) order = new long[n];
            int sorted = sortAbove(logits, FIRST_FLOOR);
            boolean decided = topK > 0 ? sorted >= topK : prefixMass(logits, sorted) >= topP * total;
            if (!decided) sorted = sortAbove(logits, Float.MIN_VALUE);
            int keep = topK > 0 ? Math.min(topK, sorted) : sorted;
            double mass = prefixMass(logits, keep);
            if (topP < 1) {
                double need = topP * (topK > 0 ? mass : total);
                double running = 0;
                int i = 0;
                while (i < keep) {
                    running += logits[(int) order[i++]];
                    if (running >= need) break;
                }
                keep = i;
            }
            while (keep > 1 && logits[(int) order[keep - 1]] < minP) keep--;
            double draw = random.nextDouble() * prefixMass(logits, keep);
            double running = 0;
            for (int i = 0; i < keep; i++) {
                running += logits[(int) order[i]];
                if (draw < running) return (int) order[i];
            }
            return (int) order[keep - 1];
        }

        /** No top-k or top-p cut: a draw over the tokens min-p keeps, walked in id order (nothing to sort). */
        private int drawInIdOrder(float[] p) {
            double mass = 0;
            for (float v : p) {
                if (v >= minP) mass += v;
            }
            double draw = random.nextDouble() * mass;
            double running = 0;
            int last = 0;
            for (int i = 0; i < p.length; i++) {
                if (p[i] < minP) continue;
                running += p[i];
                last = i;
                if (draw < running) return i;
            }
            return last;
        }

        /** Sorts the tokens whose relative probability is at least {@code floor} into {@code order}; returns how many. */
        private int sortAbove(float[] p, float floor) {
            int count = 0;
            for (int i = 0; i < p.length; i++) {
                // p is in (0, 1], so its bits order like its value; the complement puts the likeliest first
                if (p[i] >= floor) order[count++] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(p[i])) << 32) | i;
            }
            Arrays.sort(order, 0, count);
            return count;
        }

        private double prefixMass(float[] p, int count) {
            double mass = 0;
            for (int i = 0; i < count; i++) mass += p[(int) order[i]];
            return mass;
        }
    }
}
