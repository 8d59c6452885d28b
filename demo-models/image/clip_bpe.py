"""Trains a tiny CLIP byte-level BPE vocabulary (vocab.json + merges.txt, the files CLIPTokenizer reads) on the
caption words, so that every caption word is one token.

The layout follows OpenAI CLIP's: the 256 byte characters (GPT-2's bytes-to-unicode map), the same 256 with the
end-of-word mark "</w>", then one token per learned merge, then <|startoftext|> and <|endoftext|>.
"""
import collections
import json
import os


def bytes_to_unicode():
    """GPT-2/CLIP's map from bytes to printable characters (printable bytes map to themselves)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + \
        list(range(ord("\u00ae"), ord("\u00ff") + 1))
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return dict(zip(keep, map(chr, chars)))


def train(words):
    """(vocab dict token -> id, merges list of (a, b)) such that every word in `words` becomes one token."""
    byte_chars = list(bytes_to_unicode().values())
    vocab = byte_chars + [c + "</w>" for c in byte_chars]
    counts = collections.Counter(words)
    # a word as CLIP splits it: its characters, the last one carrying "</w>"
    split = {w: tuple(list(w[:-1]) + [w[-1] + "</w>"]) for w in counts}
    merges = []
    while any(len(s) > 1 for s in split.values()):
        pairs = collections.Counter()
        for w, s in split.items():
            for a, b in zip(s, s[1:]):
                pairs[a, b] += counts[w]
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merges.append((a, b))
        vocab.append(a + b)
        for w, s in split.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            split[w] = tuple(out)
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {t: i for i, t in enumerate(vocab)}, merges


def save(folder, vocab, merges, max_length):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
               "unk_token": "<|endoftext|>"}
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(special, f, indent=2)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(dict(special, tokenizer_class="CLIPTokenizer", model_max_length=max_length,
                       do_lower_case=True, errors="replace", add_prefix_space=False,
                       clean_up_tokenization_spaces=True), f, indent=2)
