package io.genway.llm;

import io.genway.schemas.ChatMessage;
import io.genway.schemas.FinishReason;
import io.genway.schemas.GenerationRequest;
import io.genway.schemas.SamplingParams;
import io.genway.schemas.TextInput;
import io.genway.schemas.Usage;
import io.genway.worker.engine.CancelToken;
import io.genway.worker.engine.Engine;
import io.genway.worker.engine.EngineInfo;
import io.genway.worker.engine.Outcome;
import io.genway.worker.engine.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in for a language model: it answers with the words of the prompt, in an order drawn
 * from the request's seed (greedy requests keep the prompt's order), one word a token, {@code max_tokens} tokens
 * or up to a stop sequence. It runs no model; it exists so that the platform (gateway, Kafka, workers) can be
 * run, tested and benchmarked end to end with an engine whose output and timing are exactly known.
 *
 * <p>Timing: {@code firstTokenDelay} before the first token (prefill), {@code tokenDelay} between tokens, on one
 * shared scheduler thread, so thousands of concurrent streams cost no thread each.
 */
public final class SyntheticTextEngine implements Engine {
    private final List<String> models;
    private final int slots;
    private final Duration firstTokenDelay;
    private final Duration tokenDelay;
    private final ScheduledExecutorService scheduler;

    public SyntheticTextEngine(List<String> models, int slots, Duration firstTokenDelay, Duration tokenDelay) {
        this.models = List.copyOf(models);
        this.slots = slots;
        this.firstTokenDelay = Objects.requireNonNull(firstTokenDelay, "firstTokenDelay");
        this.tokenDelay = Objects.requireNonNull(tokenDelay, "tokenDelay");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("synthetic-text").daemon().factory());
    }

    @Override
    public EngineInfo info() {
        return new EngineInfo("synthetic", models, slots, 0);
    }

    /** The exact text a request gets: what tests compare streams against. */
    public static List<String> tokensFor(GenerationRequest request) {
        TextInput input = request.text();
        String prompt = input.prompt() != null ? input.prompt() : lastUserMessage(input.messages());
        String[] words = prompt.trim().isEmpty() ? new String[] {"…"} : prompt.trim().split("\\s+");
        SamplingParams sampling = input.sampling();
        SplittableRandom random = new SplittableRandom(request.seed());
        List<String> out = new ArrayList<>(sampling.maxTokens());
        for (int i = 0; i < sampling.maxTokens(); i++) {
            String word = sampling.greedy() ? words[i % words.length] : words[random.nextInt(words.length)];
            out.add(i == 0 ? word : " " + word);
        }
        return out;
    }

    private static String lastUserMessage(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) return messages.get(i).content();
        }
        return messages.getLast().content();
    }

    private static int promptTokens(TextInput input) {
        String all = input.prompt() != null ? input.prompt()
                : String.join(" ", input.messages().stream().map(ChatMessage::content).toList());
        return all.isBlank() ? 0 : all.trim().split("\\s+").length;
    }

    @Override
    public CompletableFuture<Outcome> run(GenerationRequest request, Output output, CancelToken cancel) {
        List<String> tokens = tokensFor(request);
        List<String> stops = request.text().sampling().stop();
        int prompt = promptTokens(request.text());
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        new Object() {
            final StringBuilder text = new StringBuilder();
            int next;

            void step() {
                try {
                    if (cancel.cancelled()) {
                        done.complete(Outcome.cancelled());
                        return;
                    }
                    String token = tokens.get(next);
                    text.append(token);
                    for (String stop : stops) {
                        int at = text.indexOf(stop);
                        if (at >= 0) {
                            String before = token.substring(0, Math.max(0, token.length() - (text.length() - at)));
                            if (!before.isEmpty()) output.tokens(before, List.of(next));
                            done.complete(new Outcome(FinishReason.STOP, new Usage(prompt, next + 1)));
                            return;
                        }
                    }
                    output.tokens(token, List.of(next));
                    next++;
                    if (next == tokens.size()) {
                        done.complete(new Outcome(FinishReason.LENGTH, new Usage(prompt, next)));
                    } else {
                        schedule(tokenDelay);
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }

            void schedule(Duration delay) {
                if (delay.isZero()) scheduler.execute(this::step);
                else scheduler.schedule(this::step, delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        }.schedule(firstTokenDelay);
        return done;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
