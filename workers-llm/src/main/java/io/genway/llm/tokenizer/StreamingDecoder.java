package io.genway.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns generated tokens into text one token at a time without ever emitting half a character: bytes of a UTF-8
 * sequence that byte-fallback or byte-level BPE tokens spread over several tokens are held until the sequence is whole. Bytes that
 * can never form a character come out as U+FFFD at once. One per stream; not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[0];

    public StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** The text that token {@code id} completes; empty while a character is still incomplete. */
    public String accept(int id) {
        byte[] piece = tokenizer.pieceBytes(id);
        byte[] bytes = Arrays.copyOf(pending, pending.length + piece.length);
        System.arraycopy(piece, 0, bytes, pending.length, piece.length);
        int whole = wholePrefix(bytes);
        pending = Arrays.copyOfRange(bytes, whole, bytes.length);
        return new String(bytes, 0, whole, StandardCharsets.UTF_8);
    }

    /** Whatever is still held, as U+FFFD for each incomplete sequence: the stream ended inside a character. */
    public String finish() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    /** How many leading bytes end on a character boundary; a trailing sequence that may yet complete is left out. */
    static int wholePrefix(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int need = sequenceLength(bytes[i]);
            if (need == 0) { // a stray continuation or invalid lead: it decodes to U+FFFD on its own
                i++;
                continue;
            }
            int have = 1;
            while (have < need && i + have < bytes.length && isContinuation(bytes[i + have])) have++;
            if (have < need && i + have == bytes.length) return i; // may complete with the next token
            i += have; // whole, or broken (it will decode to U+FFFD)
        }
        return i;
    }

    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) return 1;
        if (b >= 0xC2 && b <= 0xDF) return 2;
        if (b >= 0xE0 && b <= 0xEF) return 3;
        if (b >= 0xF0 && b <= 0xF4) return 4;
        return 0;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
