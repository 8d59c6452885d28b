package io.genway.llm.tokenizer;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A vocabulary as GGUF stores it under {@code tokenizer.ggml.*}: token texts, merge scores, token types, the
 * special ids and the flags that say which of them the tokenizer adds. Immutable.
 */
public final class Vocabulary {
    /** The id of a special token the model does not have. */
    public static final int NONE = -1;

    /** Texts llama.cpp takes as ending generation (besides the eos, eot and eom ids), whatever their type says. */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>",
            "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "<|eom_id|>", "<end_of_utterance>");

    /**
     * The special ids ({@link #NONE} where absent) and what encoding adds: BOS first, EOS last, a space before the
     * text (SentencePiece).
     */
    public record Specials(int bos, int eos, int unk, boolean addBos, boolean addEos, boolean addSpacePrefix) {
        /** llama.cpp's defaults for a SentencePiece ({@code llama}) vocabulary. */
        public static Specials sentencePiece(int bos, int eos, int unk) {
            return new Specials(bos, eos, unk, true, false, true);
        }
    }

    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int[] byteTokens = new int[256];
    private final Specials specials;
    private final BitSet endOfGeneration = new BitSet();
    private final int[] splitFirst; // tokens split off before tokenizing: control, user-defined, unknown; longest first

    public Vocabulary(String[] tokens, float[] scores, TokenType[] types, Specials specials) {
        this(tokens, scores, types, specials, new int[0]);
    }

    /** @param endOfGeneration ids besides EOS that end generation (the model's end-of-turn tokens) */
    public Vocabulary(String[] tokens, float[] scores, TokenType[] types, Specials specials, int[] endOfGeneration) {
        Objects.requireNonNull(tokens, "tokens");
        this.specials = Objects.requireNonNull(specials, "specials");
        if (scores.length != tokens.length) throw new IllegalArgumentException("scores has " + scores.length + " entries for " + tokens.length + " tokens");
        if (types.length != tokens.length) throw new IllegalArgumentException("token_type has " + types.length + " entries for " + tokens.length + " tokens");
        requireToken("bos", specials.bos(), tokens.length);
        requireToken("eos", specials.eos(), tokens.length);
        requireToken("unk", specials.unk(), tokens.length);
        if (specials.addBos() && specials.bos() == NONE) throw new IllegalArgumentException("add_bos_token is set but the vocabulary has no bos token");
        if (specials.addEos() && specials.eos() == NONE) throw new IllegalArgumentException("add_eos_token is set but the vocabulary has no eos token");
        this.tokens = tokens.clone();
        this.scores = scores.clone();
        this.types = types.clone();
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        for (int b = 0; b < 256; b++) byteTokens[b] = ids.getOrDefault("<0x%02X>".formatted(b), NONE);
        if (specials.eos() != NONE) this.endOfGeneration.set(specials.eos());
        for (int id : endOfGeneration) {
            requireToken("end-of-generation", id, tokens.length);
            this.endOfGeneration.set(id);
        }
        for (int i = 0; i < tokens.length; i++) {
            if (END_OF_GENERATION_TEXTS.contains(tokens[i])) {
                this.endOfGeneration.set(i);
                if (this.types[i] != TokenType.CONTROL) this.types[i] = TokenType.CONTROL; // as llama.cpp overrides it
            }
        }
        this.splitFirst = IntStream.range(0, tokens.length)
                .filter(i -> isSpecial(this.types[i]) && !this.tokens[i].isEmpty())
                .boxed()
                .sorted(Comparator.comparingInt((Integer i) -> this.tokens[i].length()).reversed())
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static boolean isSpecial(TokenType type) {
        return type == TokenType.CONTROL || type == TokenType.USER_DEFINED || type == TokenType.UNKNOWN;
    }

    private static void requireToken(String name, int id, int size) {
        if (id != NONE && (id < 0 || id >= size)) {
            throw new IllegalArgumentException(name + " token id " + id + " is outside the vocabulary of " + size);
        }
    }

    /**
     * Reads {@code tokenizer.ggml.*} with llama.cpp's defaults for the model: {@code llama} (SentencePiece: bos 1,
     * eos 2, unk 0, BOS and a space prefix added) or {@code gpt2} (byte-level BPE: bos = eos = 11 when in range,
     * BOS added only for the llama-3 pre-tokenizer); explicit keys override them.
     */
    public static Vocabulary from(GgufMetadata metadata) {
        String model = metadata.string("tokenizer.ggml.model");
        String[] tokens = metadata.strings("tokenizer.ggml.tokens");
        Specials defaults = switch (model) {
            case "llama" -> Specials.sentencePiece(inRange(1, tokens), inRange(2, tokens), inRange(0, tokens));
            case "gpt2" -> new Specials(inRange(11, tokens), inRange(11, tokens), NONE,
                    PreTokenizer.from(metadata).addsBos(), false, false);
            default -> throw new GgufFormatException("tokenizer.ggml.model = " + model + " is not supported (llama: SentencePiece, gpt2: byte-level BPE)");
        };
        float[] scores = metadata.contains("tokenizer.ggml.scores") ? metadata.floats("tokenizer.ggml.scores") : new float[tokens.length];
        if (scores.length != tokens.length) throw new GgufFormatException("tokenizer.ggml.scores has " + scores.length + " entries for " + tokens.length + " tokens");
        TokenType[] types = new TokenType[tokens.length];
        if (metadata.contains("tokenizer.ggml.token_type")) {
            int[] raw = metadata.ints("tokenizer.ggml.token_type");
            if (raw.length != tokens.length) throw new GgufFormatException("tokenizer.ggml.token_type has " + raw.length + " entries for " + tokens.length + " tokens");
            for (int i = 0; i < raw.length; i++) types[i] = TokenType.ofId(raw[i]);
        } else {
            Arrays.fill(types, TokenType.NORMAL);
        }
        Specials specials = new Specials(
                specialId(metadata, "tokenizer.ggml.bos_token_id", defaults.bos(), tokens.length),
                specialId(metadata, "tokenizer.ggml.eos_token_id", defaults.eos(), tokens.length),
                specialId(metadata, "tokenizer.ggml.unknown_token_id", defaults.unk(), tokens.length),
                metadata.boolOr("tokenizer.ggml.add_bos_token", defaults.addBos()),
                metadata.boolOr("tokenizer.ggml.add_eos_token", defaults.addEos()),
                metadata.boolOr("tokenizer.ggml.add_space_prefix", defaults.addSpacePrefix()));
        List<Integer> endOfTurn = new ArrayList<>();
        for (String key : List.of("tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            int id = specialId(metadata, key, NONE, tokens.length);
            if (id != NONE) endOfTurn.add(id);
        }
        try {
            return new Vocabulary(tokens, scores, types, specials, endOfTurn.stream().mapToInt(Integer::intValue).toArray());
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("tokenizer.ggml: " + e.getMessage());
        }
    }

    private static int inRange(int id, String[] tokens) {
        return id < tokens.length ? id : NONE;
    }

    private static int specialId(GgufMetadata metadata, String key, int fallback, int size) {
        if (!metadata.contains(key)) return fallback;
        long id = metadata.longValue(key);
        if (id < 0 || id >= size) throw new GgufFormatException(key + " = " + id + " is outside the vocabulary of " + size);
        return (int) id;
    }

    /** A piece of text to tokenize, or one special token found in it. */
    public record Fragment(String text, int token) {
        static Fragment text(String text) {
            return new Fragment(text, NONE);
        }

        public boolean isToken() {
            return token != NONE;
        }
    }

    /**
     * Splits {@code text} around the texts of special tokens, as llama.cpp does before tokenizing: user-defined
     * tokens always, control and unknown tokens only when {@code parseSpecial}; longer tokens are found first.
     */
    public List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(Fragment.text(text));
        for (int id : splitFirst) {
            if (!parseSpecial && types[id] != TokenType.USER_DEFINED) continue;
            String special = tokens[id];
            List<Fragment> next = new ArrayList<>(fragments.size());
            for (Fragment f : fragments) {
                if (f.isToken()) {
                    next.add(f);
                    continue;
                }
                int from = 0;
                for (int at = f.text().indexOf(special); at >= 0; at = f.text().indexOf(special, from)) {
                    if (at > from) next.add(Fragment.text(f.text().substring(from, at)));
                    next.add(new Fragment(special, id));
                    from = at + special.length();
                }
                if (from < f.text().length()) next.add(Fragment.text(f.text().substring(from)));
            }
            fragments = next;
        }
        return fragments;
    }

    public int size() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public TokenType type(int id) {
        return types[id];
    }

    /** The id of token text {@code text}, or {@link #NONE}. */
    public int id(String text) {
        return ids.getOrDefault(text, NONE);
    }

    /** The {@code <0xNN>} token for byte {@code b}, or {@link #NONE} when the vocabulary has none. */
    public int byteToken(int b) {
        return byteTokens[b & 0xFF];
    }

    public Specials specials() {
        return specials;
    }

    public int bos() {
        return specials.bos();
    }

    public int eos() {
        return specials.eos();
    }

    public int unk() {
        return specials.unk();
    }

    public boolean addBos() {
        return specials.addBos();
    }

    public boolean addEos() {
        return specials.addEos();
    }

    public boolean addSpacePrefix() {
        return specials.addSpacePrefix();
    }

    /** Whether sampling {@code id} ends generation: EOS, the end-of-turn and end-of-message tokens. */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }
}
