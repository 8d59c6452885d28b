package io.genway.llm.tokenizer;

/** {@code tokenizer.ggml.token_type} values, as llama.cpp numbers them. */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    static TokenType ofId(int id) {
        if (id < 0 || id >= values().length) throw new IllegalArgumentException("token_type must be in [0, 6], was " + id);
        return values()[id];
    }
}
