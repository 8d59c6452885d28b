package io.genway.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenization as llama.cpp does it for {@code tokenizer.ggml.model = llama}: a space is put
 * before the text, spaces become '▁', the text is split into characters, and the adjacent pair whose merged text
 * is a token of highest score (leftmost on ties) is merged until no pair forms a token. A piece that is no token
 * falls back to its UTF-8 bytes as {@code <0xNN>} tokens. Special tokens split the text first (see
 * {@link Vocabulary#partition}); the text after a special token gets the space prefix again, as after BOS.
 * Stateless and thread-safe.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final String SPACE = "\u2581";

    private final Vocabulary vocabulary;

    public SentencePieceTokenizer(Vocabulary vocabulary) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && vocabulary.addBos()) out.add(vocabulary.bos());
        boolean afterSpecial = true; // the text's start counts as following one
        for (Vocabulary.Fragment fragment : vocabulary.partition(text, parseSpecial)) {
            if (fragment.isToken()) {
                out.add(fragment.token());
                afterSpecial = true;
                continue;
            }
            String piece = vocabulary.addSpacePrefix() && afterSpecial ? " " + fragment.text() : fragment.text();
            new Merge(piece.replace(" ", SPACE)).run(out);
            afterSpecial = false;
        }
        if (addSpecial && vocabulary.addEos()) out.add(vocabulary.eos());
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The bytes token {@code id} stands for: '▁' as a space, a byte token as its byte, control tokens as nothing. */
    @Override
    public byte[] pieceBytes(int id) {
        return switch (vocabulary.type(id)) {
            case NORMAL, USER_DEFINED -> vocabulary.token(id).replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) Integer.parseInt(vocabulary.token(id).substring(3, 5), 16)};
            case UNKNOWN -> "\u2585".getBytes(StandardCharsets.UTF_8); // llama.cpp shows unknown tokens as '▅'
            case CONTROL, UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** One text's merge: symbols form a linked list over the text's characters; merged symbols grow leftwards. */
    private final class Merge {
        private final String text;
        private final int[] start;
        private final int[] length; // in chars; 0 once merged into its left neighbour
        private final int[] prev;
        private final int[] next;
        private final PriorityQueue<Bigram> queue = new PriorityQueue<>();

        private record Bigram(int left, int right, float score, int length) implements Comparable<Bigram> {
            @Override
            public int compareTo(Bigram o) {
                int byScore = Float.compare(o.score, score);
                return byScore != 0 ? byScore : Integer.compare(left, o.left);
            }
        }

        Merge(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            length = new int[n];
            prev = new int[n];
            next = new int[n];
            int at = 0;
            for (int i = 0; i < n; i++) {
                start[i] = at;
                length[i] = Character.charCount(text.codePointAt(at));
                at += length[i];
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
        }

        void run(List<Integer> out) {
            for (int i = 1; i < start.length; i++) offer(i - 1, i);
            while (!queue.isEmpty()) {
                Bigram b = queue.poll();
                // stale: one side was merged away or grew since this pair was offered
                if (length[b.left] == 0 || length[b.right] == 0 || length[b.left] + length[b.right] != b.length) continue;
                length[b.left] += length[b.right];
                length[b.right] = 0;
                next[b.left] = next[b.right];
                if (next[b.right] >= 0) prev[next[b.right]] = b.left;
                offer(prev[b.left], b.left);
                offer(b.left, next[b.left]);
            }
            for (int i = 0; i != -1 && start.length > 0; i = next[i]) emit(i, out);
        }

        private void offer(int left, int right) {
            if (left < 0 || right < 0) return;
            String merged = text.substring(start[left], start[left] + length[left] + length[right]);
            int id = vocabulary.id(merged);
            if (id < 0) return;
            queue.add(new Bigram(left, right, vocabulary.score(id), merged.length()));
        }

        private void emit(int symbol, List<Integer> out) {
            emit(text.substring(start[symbol], start[symbol] + length[symbol]), out);
        }

        private void emit(String piece, List<Integer> out) {
            // merges only ever form tokens, so a piece that is no token is a single character the vocabulary lacks
            int id = vocabulary.id(piece);
            if (id >= 0) {
                out.add(id);
                return;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int byteId = vocabulary.byteToken(b);
                if (byteId >= 0) out.add(byteId);
                else if (vocabulary.unk() != Vocabulary.NONE) out.add(vocabulary.unk());
            }
        }
    }
}
