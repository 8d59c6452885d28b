package io.genway.deploy;

import io.genway.llm.chat.ChatTemplateException;
import io.genway.llm.chat.PromptEncoder;
import io.genway.llm.gguf.GgufFile;
import io.genway.llm.llama.Generation;
import io.genway.llm.llama.Llama;
import io.genway.llm.llama.LlamaState;
import io.genway.llm.llama.Sampler;
import io.genway.llm.tokenizer.StreamingDecoder;
import io.genway.llm.tokenizer.Tokenizer;
import io.genway.schemas.ChatMessage;
import io.genway.schemas.SamplingParams;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code genway generate}: one prompt through a GGUF model in this process, no Kafka and no gateway. The
 * continuation goes to stdout as it is made, whole characters only; one summary line goes to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continues a prompt with a GGUF model in this process (no Kafka, no gateway), streaming to stdout.")
final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "the GGUF model (architecture llama, mistral or qwen2)")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the text to continue")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", description = "tokens to generate at most (default 256; fewer if the context is full)")
    int maxTokens = 256;

    @Option(names = "--temperature", paramLabel = "T", description = "softmax temperature, 0 for greedy (default 0.8)")
    double temperature = 0.8;

    @Option(names = "--top-p", paramLabel = "P", description = "nucleus: sample from the most likely tokens up to this mass (default 0.95)")
    double topP = 0.95;

    @Option(names = "--top-k", paramLabel = "K", description = "sample from the K most likely tokens only, 0 for all (default 0)")
    int topK;

    @Option(names = "--min-p", paramLabel = "P", description = "drop tokens less than P times as likely as the most likely one (default 0)")
    double minP;

    @Option(names = "--seed", paramLabel = "S", description = "the sampler's seed (default: a fresh one each run)")
    Long seed;

    @Option(names = "--frequency-penalty", paramLabel = "F", description = "lowers a token's logit by F per time it was generated (default 0)")
    double frequencyPenalty;

    @Option(names = "--presence-penalty", paramLabel = "P", description = "lowers the logit of every token generated before by P (default 0)")
    double presencePenalty;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "divides the logits of tokens in the prompt or output by R (negative ones: multiplies; default 1, none)")
    double repetitionPenalty = 1;

    @Option(names = "--greedy", description = "always the most likely token (the same as --temperature 0)")
    boolean greedy;

    @Option(names = "--chat", description = "send the prompt as one user message through the model's chat template (tokenizer.chat_template)")
    boolean chat;

    /** Where the timings come from; tests may drive it. */
    LongSupplier nanoTime = System::nanoTime;

    record Loaded(Llama model, PromptEncoder prompts) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String invalid = invalidOption();
        if (invalid != null) {
            err.println("genway generate: " + invalid);
            return Genway.CONFIG_ERROR;
        }
        Loaded loaded;
        try {
            loaded = load(model);
        } catch (IOException | RuntimeException e) {
            err.println("genway generate: cannot run model " + model + ": " + reason(e));
            return Genway.CONFIG_ERROR;
        }
        Llama llama = loaded.model();
        Tokenizer tokenizer = loaded.prompts().tokenizer();
        int[] ids;
        try {
            ids = chat ? loaded.prompts().encodeChat(List.of(new ChatMessage("user", prompt))) : loaded.prompts().encodeCompletion(prompt);
        } catch (ChatTemplateException e) {
            err.println("genway generate: " + e.getMessage());
            return Genway.CONFIG_ERROR;
        }
        int context = llama.config().contextLength();
        if (ids.length >= context) {
            err.println("genway generate: the prompt's " + ids.length + " tokens leave no room in the model's context of " + context);
            return Genway.CONFIG_ERROR;
        }
        int budget = Math.min(maxTokens, context - ids.length);
        SplittableRandom random = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
        Sampler sampler = Sampler.penalized(Sampler.truncated(greedy ? 0 : temperature, topK, topP, minP, random), ids,
                frequencyPenalty, presencePenalty, repetitionPenalty);

        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        long start = nanoTime.getAsLong();
        long[] first = {-1};
        Generation.Result result = Generation.generate(llama, new LlamaState(llama.config(), ids.length + budget, false), ids, budget,
                tokenizer::isEndOfGeneration, sampler, token -> {
                    if (first[0] < 0) first[0] = nanoTime.getAsLong();
                    out.print(decoder.accept(token));
                    out.flush();
                    return true;
                });
        long end = nanoTime.getAsLong();
        out.println(decoder.finish());
        out.flush();
        err.println(summary(ids.length, result.generated(), start, first[0], end));
        err.flush();
        return 0;
    }

    /** The first option out of range, as a message naming the flag; null when all are fine. */
    private String invalidOption() {
        if (maxTokens < 1) return "--max-tokens must be >= 1, was " + maxTokens;
        if (!(temperature >= 0)) return "--temperature must be >= 0, was " + temperature;
        if (!(topP > 0 && topP <= 1)) return "--top-p must be in (0, 1], was " + topP;
        if (topK < 0) return "--top-k must be >= 0, was " + topK;
        if (!(minP >= 0 && minP <= 1)) return "--min-p must be in [0, 1], was " + minP;
        if (!(repetitionPenalty > 0 && repetitionPenalty <= SamplingParams.MAX_REPETITION_PENALTY)) {
            return "--repetition-penalty must be in (0, " + SamplingParams.MAX_REPETITION_PENALTY + "], was " + repetitionPenalty;
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) return "--frequency-penalty must be in [-2, 2], was " + frequencyPenalty;
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) return "--presence-penalty must be in [-2, 2], was " + presencePenalty;
        return null;
    }

    /**
     * Fails when the model cannot run: the file is missing, is not GGUF, has an architecture, tensor type or
     * tokenizer we lack, or a chat template that does not render.
     */
    static Loaded load(Path model) throws IOException {
        // the weights stay mapped from the file, so it stays open for the rest of the command
        GgufFile file = GgufFile.open(model);
        try {
            return new Loaded(Llama.load(file), PromptEncoder.from(file.metadata(), Tokenizer.from(file.metadata())));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file";
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return message.replace('\n', ' ');
    }

    /**
     * Prompt and generated token counts, time to first token (prompt processing and the first sample), and the
     * decode rate over the tokens after the first.
     */
    static String summary(int promptTokens, int generated, long start, long first, long end) {
        String ttft = first < 0 ? "-" : String.format(Locale.ROOT, "%.1f", (first - start) / 1e6);
        String rate = generated < 2 ? "-" : String.format(Locale.ROOT, "%.1f", (generated - 1) / ((end - first) / 1e9));
        return "prompt " + promptTokens + " tokens, generated " + generated + " tokens, first token " + ttft + " ms, " + rate + " tokens/s";
    }
}
