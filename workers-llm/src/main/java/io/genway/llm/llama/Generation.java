package io.genway.llm.llama;

import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Runs a prompt and then samples up to {@code maxTokens} tokens, pushing each to a {@link TokenSink}; it knows
 * nothing of where tokens go. Runs on the calling thread.
 */
public final class Generation {

    /** Receives each generated token, on the generating thread; false stops generation (a stop sequence, a cancel). */
    @FunctionalInterface
    public interface TokenSink {
        boolean accept(int token);
    }

    public enum Stop { END_OF_SEQUENCE, MAX_TOKENS, SINK, CONTEXT_FULL }

    /** How a generation ended; {@code generated} counts tokens handed to the sink (an end-of-sequence token is not). */
    public record Result(int promptTokens, int generated, Stop stop) {
        public Result {
            Objects.requireNonNull(stop, "stop");
            if (promptTokens < 0 || generated < 0) throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    private Generation() {
    }

    /**
     * @param endOfSequence the token that ends generation without reaching the sink, or -1 for none
     */
    public static Result generate(Llama model, LlamaState state, int[] prompt, int maxTokens, int endOfSequence,
                                  Sampler sampler, TokenSink sink) {
        return generate(model, state, prompt, maxTokens, (IntPredicate) token -> token == endOfSequence, sampler, sink);
    }

    /**
     * @param endOfGeneration the tokens that end generation without reaching the sink (EOS, a chat model's
     *                        end-of-turn token: {@code Tokenizer::isEndOfGeneration})
     */
    public static Result generate(Llama model, LlamaState state, int[] prompt, int maxTokens, IntPredicate endOfGeneration,
                                  Sampler sampler, TokenSink sink) {
        if (prompt.length == 0) throw new IllegalArgumentException("prompt must hold at least one token");
        if (prompt.length > state.capacity()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens exceeds the context of " + state.capacity());
        }
        float[] logits = null;
        for (int pos = 0; pos < prompt.length; pos++) logits = model.forward(state, prompt[pos], pos);
        int pos = prompt.length;
        for (int generated = 0; generated < maxTokens; generated++) {
            int token = sampler.sample(logits);
            if (endOfGeneration.test(token)) return new Result(prompt.length, generated, Stop.END_OF_SEQUENCE);
            if (!sink.accept(token)) return new Result(prompt.length, generated + 1, Stop.SINK);
            if (generated + 1 == maxTokens) break;
            if (pos == state.capacity()) return new Result(prompt.length, generated + 1, Stop.CONTEXT_FULL);
            logits = model.forward(state, token, pos++);
        }
        return new Result(prompt.length, maxTokens, Stop.MAX_TOKENS);
    }
}
