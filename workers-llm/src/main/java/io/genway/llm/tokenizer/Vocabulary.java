package io.genway.llm.tokenizer;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A SentencePiece-style vocabulary as GGUF stores it under {@code tokenizer.ggml.*}: token texts (spaces written
 * as '▁', bytes as {@code <0xNN>}), merge scores, token types, and the special ids. Immutable.
 */
public final class Vocabulary {
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int[] byteTokens = new int[256];
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final boolean addSpacePrefix;

    public Vocabulary(String[] tokens, float[] scores, TokenType[] types, int bos, int eos, int unk, boolean addBos, boolean addSpacePrefix) {
        Objects.requireNonNull(tokens, "tokens");
        if (scores.length != tokens.length) throw new IllegalArgumentException("scores has " + scores.length + " entries for " + tokens.length + " tokens");
        if (types.length != tokens.length) throw new IllegalArgumentException("token_type has " + types.length + " entries for " + tokens.length + " tokens");
        requireToken("bos", bos, tokens.length);
        requireToken("eos", eos, tokens.length);
        requireToken("unk", unk, tokens.length);
        this.tokens = tokens.clone();
        this.scores = scores.clone();
        this.types = types.clone();
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addBos = addBos;
        this.addSpacePrefix = addSpacePrefix;
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) ids.putIfAbsent(tokens[i], i);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = ids.getOrDefault("<0x%02X>".formatted(b), -1);
        }
    }

    private static void requireToken(String name, int id, int size) {
        if (id < 0 || id >= size) throw new IllegalArgumentException(name + " token id " + id + " is outside the vocabulary of " + size);
    }

    /** Reads {@code tokenizer.ggml.*}; only the {@code llama} (SentencePiece) model is taken. */
    public static Vocabulary from(GgufMetadata metadata) {
        String model = metadata.string("tokenizer.ggml.model");
        if (!model.equals("llama")) {
            throw new GgufFormatException("tokenizer.ggml.model = " + model + " is not supported (only llama, SentencePiece style)");
        }
        String[] tokens = metadata.strings("tokenizer.ggml.tokens");
        float[] scores = metadata.contains("tokenizer.ggml.scores") ? metadata.floats("tokenizer.ggml.scores") : new float[tokens.length];
        TokenType[] types = new TokenType[tokens.length];
        if (metadata.contains("tokenizer.ggml.token_type")) {
            int[] raw = metadata.ints("tokenizer.ggml.token_type");
            if (raw.length != tokens.length) throw new GgufFormatException("tokenizer.ggml.token_type has " + raw.length + " entries for " + tokens.length + " tokens");
            for (int i = 0; i < raw.length; i++) types[i] = TokenType.ofId(raw[i]);
        } else {
            java.util.Arrays.fill(types, TokenType.NORMAL);
        }
        return new Vocabulary(tokens, scores, types,
                metadata.integerOr("tokenizer.ggml.bos_token_id", 1),
                metadata.integerOr("tokenizer.ggml.eos_token_id", 2),
                metadata.integerOr("tokenizer.ggml.unknown_token_id", 0),
                metadata.boolOr("tokenizer.ggml.add_bos_token", true),
                metadata.boolOr("tokenizer.ggml.add_space_prefix", true));
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

    /** The id of token text {@code text}, or -1. */
    public int id(String text) {
        return ids.getOrDefault(text, -1);
    }

    /** The {@code <0xNN>} token for byte {@code b}, or -1 when the vocabulary has none. */
    public int byteToken(int b) {
        return byteTokens[b & 0xFF];
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int unk() {
        return unk;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }
}
