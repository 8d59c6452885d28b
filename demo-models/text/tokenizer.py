"""A SentencePiece-style tokenizer for the demo corpus: a BPE trainer, and the encoder llama.cpp uses for
`tokenizer.ggml.model = llama` (genway's SentencePieceTokenizer follows the same algorithm).

Vocabulary layout (as in llama's own SentencePiece models):
    0 <unk> (type 2), 1 <s> (type 3), 2 </s> (type 3), 3..258 <0x00>..<0xFF> (type 6), then the corpus'
    characters and the learned merges (type 1).
Spaces are written as '\u2581'. A learned merge's score is minus its rank, so that "merge the adjacent pair whose
joined text is the highest-scoring token" (llama.cpp's algorithm) mostly retraces the order BPE learned them in;
training never relies on that, because the corpus is tokenized with `encode` below, the same algorithm the
engine runs.
"""
import collections
import heapq
import re

SPACE = "\u2581"
UNK, BOS, EOS = 0, 1, 2
TYPE_NORMAL, TYPE_UNKNOWN, TYPE_CONTROL, TYPE_BYTE = 1, 2, 3, 6
# training-time chunks: a word or a run of punctuation, each with the space before it; no learned token spans two
CHUNK = re.compile(SPACE + "?[A-Za-z]+|" + SPACE + "?[^A-Za-z" + SPACE + "]+|" + SPACE)


def escape(text):
    """llama.cpp's preparation: a space before the text, every space as '\u2581'."""
    return (" " + text).replace(" ", SPACE)


def train(lines, vocab_size):
    """Returns (tokens, scores, types) with `vocab_size` entries."""
    counts = collections.Counter()
    for line in lines:
        counts.update(CHUNK.findall(escape(line)))
    words = {tuple(word): n for word, n in counts.items()}
    chars = sorted({c for word in words for c in word})
    tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    types = [TYPE_UNKNOWN, TYPE_CONTROL, TYPE_CONTROL] + [TYPE_BYTE] * 256
    merges = []
    budget = vocab_size - len(tokens) - len(chars)
    if budget < 0:
        raise ValueError(f"vocab_size {vocab_size} is too small for {len(chars)} characters")
    while len(merges) < budget:
        pairs = collections.Counter()
        for word, n in words.items():
            for a, b in zip(word, word[1:]):
                pairs[a, b] += n
        if not pairs:
            break
        # most frequent pair; ties go to the lexicographically first, so training is deterministic
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merges.append(a + b)
        merged = {}
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    # merges first (score -rank), then single characters below every merge, as SentencePiece's BPE models do
    scores = [0.0] * len(tokens)
    for rank, piece in enumerate(merges):
        tokens.append(piece)
        scores.append(-float(rank))
        types.append(TYPE_NORMAL)
    for i, c in enumerate(chars):
        tokens.append(c)
        scores.append(-float(len(merges) + i))
        types.append(TYPE_NORMAL)
    if len(set(tokens)) != len(tokens):
        raise ValueError("duplicate token texts")
    return tokens, scores, types


class Tokenizer:
    def __init__(self, tokens, scores, types):
        self.tokens, self.scores, self.types = tokens, scores, types
        self.ids = {}
        for i, t in enumerate(tokens):
            self.ids.setdefault(t, i)
        self.cache = {}

    def _merge(self, text):
        """llama.cpp's SPM merge over one string: repeatedly join the adjacent symbols whose joined text is the
        token of highest score (leftmost on ties); symbols that are no token fall back to byte tokens."""
        syms = list(text)
        n = len(syms)
        prev = list(range(-1, n - 1))
        nxt = list(range(1, n + 1))
        nxt[-1] = -1
        alive = [True] * n
        heap = []

        def offer(left, right):
            if left < 0 or right < 0:
                return
            joined = syms[left] + syms[right]
            tid = self.ids.get(joined)
            if tid is not None:
                heapq.heappush(heap, (-self.scores[tid], left, right, joined))

        for i in range(1, n):
            offer(i - 1, i)
        while heap:
            _, left, right, joined = heapq.heappop(heap)
            if not alive[left] or not alive[right] or syms[left] + syms[right] != joined or nxt[left] != right:
                continue
            syms[left] = joined
            alive[right] = False
            nxt[left] = nxt[right]
            if nxt[right] >= 0:
                prev[nxt[right]] = left
            offer(prev[left], left)
            offer(left, nxt[left])
        out = []
        i = 0
        while i != -1:
            tid = self.ids.get(syms[i])
            if tid is not None:
                out.append(tid)
            else:
                for b in syms[i].encode("utf-8"):
                    out.append(self.ids.get("<0x%02X>" % b, UNK))
            i = nxt[i]
        return out

    def encode(self, text, bos=True):
        """The whole text in one merge, exactly as the engine does it."""
        return ([BOS] if bos else []) + (self._merge(escape(text)) if text else [])

    def encode_fast(self, text, bos=True):
        """The same ids as `encode` for text whose chunks no token spans (all of the corpus): chunk by chunk,
        cached."""
        out = [BOS] if bos else []
        for chunk in CHUNK.findall(escape(text)):
            ids = self.cache.get(chunk)
            if ids is None:
                ids = self.cache[chunk] = self._merge(chunk)
            out.extend(ids)
        return out

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            t, kind = self.tokens[i], self.types[i]
            if kind == TYPE_BYTE:
                data.append(int(t[3:5], 16))
            elif kind == TYPE_NORMAL:
                data.extend(t.replace(SPACE, " ").encode("utf-8"))
        return data.decode("utf-8", errors="replace")
