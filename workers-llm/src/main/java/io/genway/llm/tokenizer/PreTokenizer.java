package io.genway.llm.tokenizer;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How byte-level BPE splits text into words before merging, chosen by {@code tokenizer.ggml.pre} as llama.cpp
 * chooses it. Each pattern splits every piece the previous one left; a match and the text between matches each
 * become a piece. The patterns are those of the models' {@code tokenizer.json}, compiled with Unicode classes:
 * {@code \s} is Unicode White_Space as in Oniguruma (the HF tokenizers' regex engine), {@code \p{L}} and
 * {@code \p{N}} the general categories. Immutable and thread-safe.
 */
public enum PreTokenizer {
    /** llama.cpp's fallback when {@code tokenizer.ggml.pre} is absent or "default": four patterns in turn. */
    DEFAULT(false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|]+",
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
            "\\p{N}+",
            "[0-9][0-9][0-9]"),
    /** GPT-2's own pattern (contractions in lower case only, digit runs whole). */
    GPT2(false, false,
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /**
     * Llama 3: contractions in any case, digits in groups of up to three, a word may take one leading
     * non-letter, punctuation runs take trailing newlines. A word that is a whole token skips merging.
     */
    LLAMA3(true, true,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2: as Llama 3 but every digit on its own, and merges always run. */
    QWEN2(false, false,
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    /** llama.cpp's names for each, {@code tokenizer.ggml.pre} as convert_hf_to_gguf writes it. */
    private static final Map<String, PreTokenizer> NAMES = Map.ofEntries(
            Map.entry("default", DEFAULT),
            Map.entry("gpt-2", GPT2), Map.entry("phi-2", GPT2), Map.entry("mpt", GPT2), Map.entry("olmo", GPT2),
            Map.entry("llama3", LLAMA3), Map.entry("llama-v3", LLAMA3), Map.entry("llama-bpe", LLAMA3),
            Map.entry("falcon3", LLAMA3), Map.entry("pixtral", LLAMA3),
            Map.entry("qwen2", QWEN2), Map.entry("deepseek-r1-qwen", QWEN2), Map.entry("stablelm2", QWEN2), Map.entry("megrez", QWEN2));

    private final boolean ignoreMerges;
    private final boolean addsBos;
    private final List<Pattern> patterns;

    PreTokenizer(boolean ignoreMerges, boolean addsBos, String... patterns) {
        this.ignoreMerges = ignoreMerges;
        this.addsBos = addsBos;
        // (?i) stays ASCII: UNICODE_CASE would let 'ſ (long s) match 's, which neither llama.cpp nor HF do
        this.patterns = java.util.Arrays.stream(patterns)
                .map(p -> Pattern.compile(p.replace("\\s", "\\p{IsWhite_Space}").replace("\\S", "\\P{IsWhite_Space}")))
                .toList();
    }

    /** {@code tokenizer.ggml.pre}, "default" when absent; a name llama.cpp knows but this does not fails, naming it. */
    public static PreTokenizer from(GgufMetadata metadata) {
        String name = metadata.findString("tokenizer.ggml.pre").orElse("default");
        PreTokenizer pre = NAMES.get(name);
        if (pre == null) {
            throw new GgufFormatException("tokenizer.ggml.pre = " + name + " is not supported (supported: "
                    + NAMES.keySet().stream().sorted().toList() + ")");
        }
        return pre;
    }

    /** Whether a word that is itself a token is taken whole, without merging (llama.cpp's ignore_merges). */
    public boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether BOS is added when {@code tokenizer.ggml.add_bos_token} does not say. */
    public boolean addsBos() {
        return addsBos;
    }

    /** The words of {@code text}, in order; together they are exactly {@code text}. */
    public List<String> split(String text) {
        List<String> pieces = List.of(text);
        for (Pattern pattern : patterns) {
            List<String> next = new ArrayList<>();
            for (String piece : pieces) splitInto(pattern, piece, next);
            pieces = next;
        }
        return pieces;
    }

    private static void splitInto(Pattern pattern, String text, List<String> out) {
        Matcher m = pattern.matcher(text);
        int from = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue; // no pattern here matches empty text; guard anyway
            if (m.start() > from) out.add(text.substring(from, m.start()));
            out.add(text.substring(m.start(), m.end()));
            from = m.end();
        }
        if (from < text.length()) out.add(text.substring(from));
    }
}
