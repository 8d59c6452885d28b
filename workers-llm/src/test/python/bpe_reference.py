"""Expected ids for BpeTokenizerTest, from Hugging Face `tokenizers` (the reference implementation).

Trains a small byte-level BPE on a generated corpus, then encodes varied strings with the pre-tokenizers that
llama.cpp names `default`, `gpt-2`, `llama-bpe` (llama 3) and `qwen2`, each configured as the models'
tokenizer.json configures it (Split with the model's regex, behavior Isolated, then ByteLevel without its own
regex; GPT-2: ByteLevel with its built-in regex). Writes workers-llm/src/test/resources/tokenizer/bpe-reference.json.

Run from the repository root: python3 workers-llm/src/test/python/bpe_reference.py
"""
import json
import random
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

OUT = Path("workers-llm/src/test/resources/tokenizer/bpe-reference.json")

# The patterns as the models' tokenizer.json files hold them (llama.cpp's comments quote the same).
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# llama.cpp's regex list when tokenizer.ggml.pre is absent or "default", applied one after another.
DEFAULT = [r"[\p{P}\$\+<=>\^~\|]+",
           r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)",
           r"\p{N}+",
           r"[0-9][0-9][0-9]"]

SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|im_start|>", "<|im_end|>"]
# In the vocabulary but reachable by no merge: llama-3's ignore_merges takes it whole, the others do not.
UNMERGEABLE = "Ġzqxjv"


def split(pattern):
    return pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)


def byte_level_after(*splits):
    return pre_tokenizers.Sequence([*splits, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


PRE = {
    "default": byte_level_after(*[split(p) for p in DEFAULT]),
    "gpt-2": pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    "llama-bpe": byte_level_after(split(LLAMA3)),
    "qwen2": byte_level_after(split(QWEN2)),
}


def corpus():
    rng = random.Random(7)
    words = ("the quick brown fox jumps over lazy dog hello world tokenizer model token merge byte level "
             "streaming gateway request worker stream pool lease step Java Python print return class def "
             "don't it's we're they've I'm you'll he'd café naïve résumé Zürich sure see done here loud "
             "shout range html body span div foo bar").split()
    lines = []
    for _ in range(3000):
        n = rng.randint(3, 14)
        line = " ".join(rng.choice(words) for _ in range(n))
        if rng.random() < 0.3:
            line += " " + str(rng.randint(0, 10 ** rng.randint(1, 7)))
        if rng.random() < 0.2:
            line = "    " + line.replace(" ", "_", 1) + "();"
        if rng.random() < 0.15:
            line += " 你好世界 日本語 😀 🎉"
        if rng.random() < 0.15:
            line = line.upper()
        if rng.random() < 0.1:  # Unicode spaces in runs, so a wrong \s shows in the merges it allows
            line = line.replace(" ", rng.choice(["\u00a0\u00a0", "\u3000", " \u00a0"]), 2)
        if rng.random() < 0.1:  # a contraction glued to a word: which pattern takes the apostrophe shows
            line += " it'sok I'LLAMA we'REAL"
        lines.append(line)
    # whitespace runs (indentation, blank lines, tabs) so that merges of whitespace exist
    blocks = ["\n\n".join(lines[i:i + 3]) + "\n    \t" + "\n\t\t".join(lines[i + 3:i + 5]) + "  \n"
              for i in range(0, len(lines) - 5, 5)]
    return lines + blocks


def train():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = PRE["llama-bpe"]
    trainer = trainers.BpeTrainer(vocab_size=1500, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus(), trainer)
    model = json.loads(tok.to_str())["model"]
    vocab = sorted(model["vocab"].items(), key=lambda kv: kv[1])
    merges = [" ".join(m) if isinstance(m, list) else m for m in model["merges"]]
    tokens = [t for t, _ in vocab] + [UNMERGEABLE]
    return tokens, merges


def reference_tokenizer(tokens, merges, pre):
    vocab = {t: i for i, t in enumerate(tokens)}
    pairs = [tuple(m.split(" ", 1)) for m in merges]
    tok = Tokenizer(models.BPE(vocab, pairs, ignore_merges=(pre == "llama-bpe")))
    tok.pre_tokenizer = PRE[pre]
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(SPECIALS)  # ids follow the vocabulary, as a GGUF lists them
    return tok


TEXTS = [
    "Hello world",
    "hello world, the quick brown fox jumps over the lazy dog.",
    "I'm sure you'll see they've done it. DON'T SHOUT, IT'S LOUD! We'RE here, You'Ll see",
    "def step(x):\n    return x + 1  # comment\n\n\nclass Pool:\n\tpass",
    "1 12 123 1234 12345 123456789 3.14159 v2.0-rc1 1,000,000",
    "😀 🎉🎉 emoji runs 👍🏽 and ZWJ 👨‍👩‍👧",
    "你好世界 日本語のテキスト 한국어 text",
    "naïve café résumé Zürich Ωmega μ",
    "   leading spaces",
    "trailing spaces   ",
    "two  spaces\tand\ttabs \t mixed\n\n  indented\n",
    "a\r\nb\r\n\r\nc",
    "nbsp\u00a0here and\u3000ideographic space and\u2003em",
    "\n",
    " ",
    "''' quotes \"double\" `tick` 's 't",
    "x=foo(1,2);y=[a[i]for i in range(10)]",
    "<html><body class=\"x\">&amp;</body></html>",
    "zqxjv zqxjv zqxjvx",
    "it'sok I'LLAMA we'REAL x'Dy 'S 'Ss",
    "a\u00a0\u00a0\u00a0b\u3000\u3000c \u00a0d\u00a0\u00a0",
    "٣٤٥ arabic digits and Ⅻ roman and ½ fraction",
    "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
    "<|begin_of_text|>text<|eot_id|>",
]


def main():
    tokens, merges = train()
    cases = []
    for pre in PRE:
        tok = reference_tokenizer(tokens, merges, pre)
        for text in TEXTS:
            ids = tok.encode(text, add_special_tokens=False).ids
            tok.encode_special_tokens = True
            plain = tok.encode(text, add_special_tokens=False).ids
            tok.encode_special_tokens = False
            assert tok.decode(plain, skip_special_tokens=False) == text
            # the pre-tokenizer's words (in GPT-2's byte characters): checks the split apart from the merges
            words = [w for w, _ in PRE[pre].pre_tokenize_str(text)]
            cases.append({"pre": pre, "text": text, "words": words, "ids": ids, "ids_specials_as_text": plain})
    specials = {t: tokens.__len__() + i for i, t in enumerate(SPECIALS)}
    for t, i in specials.items():
        assert reference_tokenizer(tokens, merges, "gpt-2").token_to_id(t) == i
    OUT.write_text(json.dumps({
        "generator": "workers-llm/src/test/python/bpe_reference.py, tokenizers " + __import__("tokenizers").__version__,
        "tokens": tokens, "merges": merges, "specials": SPECIALS, "cases": cases}, ensure_ascii=False, indent=0) + "\n")
    print(f"{len(tokens)} tokens, {len(merges)} merges, {len(cases)} cases -> {OUT}")


if __name__ == "__main__":
    main()
