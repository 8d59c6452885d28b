package io.genway.llm.tokenizer;

import io.genway.llm.gguf.GgufFormatException;
import io.genway.llm.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * GPT-2 byte-level BPE as llama.cpp does it for {@code tokenizer.ggml.model = gpt2}: special tokens split the text
 * first, the {@link PreTokenizer} splits the rest into words, each word's UTF-8 bytes are written as the printable
 * characters GPT-2 maps bytes to, and the adjacent pair with the lowest merge rank (leftmost on ties) is merged
 * until no pair has a rank. Merges are {@code tokenizer.ggml.merges}, "left right" in rank order. Stateless and
 * thread-safe.
 */
public final class BpeTokenizer implements Tokenizer {
    /** GPT-2's byte → character table: printable Latin-1 bytes stand for themselves, the rest for U+0100 onwards. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private final Vocabulary vocabulary;
    private final PreTokenizer preTokenizer;
    private final Map<String, Integer> ranks; // "left right" → rank

    public BpeTokenizer(Vocabulary vocabulary, PreTokenizer preTokenizer, List<String> merges) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        this.ranks = new HashMap<>(merges.size() * 2);
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            // as llama.cpp: the first space after the first character separates the pair
            int space = merge.indexOf(' ', 1);
            if (space < 0) throw new IllegalArgumentException("merge " + rank + " \"" + merge + "\" has no space between its two parts");
            ranks.putIfAbsent(merge, rank);
        }
    }

    /** Reads {@code tokenizer.ggml.tokens}, {@code merges}, {@code token_type}, {@code pre} and the special ids. */
    public static BpeTokenizer from(GgufMetadata metadata) {
        PreTokenizer pre = PreTokenizer.from(metadata);
        Vocabulary vocabulary = Vocabulary.from(metadata);
        if (!metadata.contains("tokenizer.ggml.merges")) throw new GgufFormatException("missing metadata key tokenizer.ggml.merges (a gpt2 tokenizer needs its merges)");
        try {
            return new BpeTokenizer(vocabulary, pre, List.of(metadata.strings("tokenizer.ggml.merges")));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException("tokenizer.ggml.merges: " + e.getMessage());
        }
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && vocabulary.addBos()) out.add(vocabulary.bos());
        for (Vocabulary.Fragment fragment : vocabulary.partition(text, parseSpecial)) {
            if (fragment.isToken()) {
                out.add(fragment.token());
                continue;
            }
            for (String word : preTokenizer.split(fragment.text())) encodeWord(byteLevel(word), out);
        }
        if (addSpecial && vocabulary.addEos()) out.add(vocabulary.eos());
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code text}'s UTF-8 bytes as GPT-2's byte characters. */
    static String byteLevel(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    private void encodeWord(String word, List<Integer> out) {
        if (preTokenizer.ignoreMerges()) {
            int whole = vocabulary.id(word);
            if (whole != Vocabulary.NONE) {
                out.add(whole);
                return;
            }
        }
        for (String symbol : merge(word)) {
            int id = vocabulary.id(symbol);
            if (id != Vocabulary.NONE) {
                out.add(id);
                continue;
            }
            // a symbol no token stands for: its characters one by one, those without a token dropped (as llama.cpp)
            for (int i = 0; i < symbol.length(); i++) {
                int single = vocabulary.id(symbol.substring(i, i + 1));
                if (single != Vocabulary.NONE) out.add(single);
            }
        }
    }

    /** The word's symbols after merging; one char per byte to start with, so no symbol splits a surrogate pair. */
    private List<String> merge(String word) {
        int n = word.length();
        int[] length = new int[n]; // 0 once merged into its left neighbour
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        record Pair(int left, int rank, int length) {}
        PriorityQueue<Pair> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        java.util.function.BiConsumer<Integer, Integer> offer = (left, right) -> {
            if (left < 0 || right < 0) return;
            Integer rank = ranks.get(word.substring(left, left + length[left]) + ' ' + word.substring(right, right + length[right]));
            if (rank != null) queue.add(new Pair(left, rank, length[left] + length[right]));
        };
        for (int i = 1; i < n; i++) offer.accept(i - 1, i);
        while (!queue.isEmpty()) {
            Pair p = queue.poll();
            int right = next[p.left];
            // stale: the left symbol was merged away, or one side changed since this pair was offered
            if (length[p.left] == 0 || right < 0 || length[p.left] + length[right] != p.length) continue;
            length[p.left] += length[right];
            length[right] = 0;
            next[p.left] = next[right];
            if (next[right] >= 0) prev[next[right]] = p.left;
            offer.accept(prev[p.left], p.left);
            offer.accept(p.left, next[p.left]);
        }
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i != -1 && n > 0; i = next[i]) symbols.add(word.substring(i, i + length[i]));
        return symbols;
    }

    /**
     * The bytes token {@code id} stands for: a normal token's characters mapped back to bytes, a user-defined token's
     * text as is, nothing for control and unknown tokens (as llama.cpp prints them without {@code special}).
     */
    @Override
    public byte[] pieceBytes(int id) {
        String token = vocabulary.token(id);
        return switch (vocabulary.type(id)) {
            case NORMAL -> bytesOf(token);
            case USER_DEFINED -> token.getBytes(StandardCharsets.UTF_8);
            case BYTE -> token.length() == 6 && token.startsWith("<0x")
                    ? new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)}
                    : bytesOf(token);
            case CONTROL, UNKNOWN, UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** GPT-2 byte characters back to bytes; a character outside the table keeps its own UTF-8 bytes. */
    private static byte[] bytesOf(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                int cp = token.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toByteArray();
    }
}
