"""Expected outputs of transformers' CLIPTokenizer and CLIPTextModel for the Java tests of io.genway.diffusion.clip.

Writes, under src/test/resources/io/genway/diffusion/clip/:
  tokenizer/                a small CLIP BPE vocabulary trained here on a fixed corpus (vocab.json, merges.txt,
                            tokenizer_config.json, special_tokens_map.json: SD 1.x layout, pads with <|endoftext|>)
  tokenizer-json/           the same tokenizer as transformers 5 saves it: tokenizer.json (vocab and merges inside)
                            and tokenizer_config.json, no vocab.json or merges.txt
  tokenizer-expected.json   ids from transformers' CLIPTokenizer for varied strings, once with the files as they
                            are and once with pad_token "!" (SD 2.x layout)
  text-model-expected.json  last_hidden_state of CLIPTextModel for two prompts, for a quick_gelu and a gelu config
                            whose weights follow the formula in formula_weights (ClipTextFixture.java makes the same)

Run from workers-diffusion/: python3 src/test/python/clip_reference.py (needs torch, transformers, safetensors).
The Java tests need none of this: they read the committed outputs.
"""
import collections
import json
import math
import os
import shutil
import tempfile

import numpy as np
import regex
import torch
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "io", "genway", "diffusion", "clip")
MERGES = 240
CORPUS = """
a red circle on a blue background. a green square on a yellow background. a small purple triangle.
the quick brown fox jumps over the lazy dog. it's a painting of a cat, isn't it? they'll say we've
seen it. photograph of a mountain lake at sunset, highly detailed, 4k, trending on artstation.
an oil painting of a lighthouse in a storm; waves crashing! portrait of an old man with a beard.
a watercolor of flowers in a vase, soft light. cinematic shot of a city street at night, neon signs.
""" * 3


def bytes_to_unicode():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, n = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + n)
            n += 1
    return chars


def train_vocabulary():
    """A plain BPE training run: most frequent adjacent pair first, ties broken by the pair itself."""
    byte_chars = bytes_to_unicode()
    pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""")
    words = collections.Counter(pattern.findall(CORPUS.lower()))
    splits = {}
    for word in words:
        symbols = [byte_chars[b] for b in word.encode("utf-8")]
        symbols[-1] += "</w>"
        splits[word] = symbols
    alphabet = [byte_chars[b] for b in range(256)]
    vocab = alphabet + [c + "</w>" for c in alphabet]
    merges = []
    while len(merges) < MERGES:
        pairs = collections.Counter()
        for word, count in words.items():
            s = splits[word]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        best = max(pairs.items(), key=lambda item: (item[1], item[0]))[0]
        merges.append(best)
        vocab.append(best[0] + best[1])
        for word in words:
            s, out, i = splits[word], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            splits[word] = out
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {token: i for i, token in enumerate(vocab)}, merges


def special(content):
    return {"content": content, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}


def write_tokenizer(folder, vocab, merges, pad):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    config = {"add_prefix_space": False, "bos_token": special("<|startoftext|>"), "do_lower_case": True,
              "eos_token": special("<|endoftext|>"), "errors": "replace", "model_max_length": 77,
              "pad_token": pad, "tokenizer_class": "CLIPTokenizer", "unk_token": special("<|endoftext|>")}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    specials = {"bos_token": special("<|startoftext|>"), "eos_token": special("<|endoftext|>"),
                "pad_token": pad, "unk_token": special("<|endoftext|>")}
    with open(os.path.join(folder, "special_tokens_map.json"), "w") as f:
        json.dump(specials, f, indent=2)


TEXTS = [
    "a red circle on a blue background",
    "A Red CIRCLE on a Blue Background!!",
    "",
    "   ",
    "  lots   of\twhitespace\n\nand newlines  ",
    "it's 12:30 o'clock, don't you'll we've I'm they'd",
    "digits 1234567890 and 3.14159",
    "x=1+2*3/4 (parens) [brackets] {braces} #hash @at ~tilde",
    "Cafe\u0301 nai\u0308ve re\u0301sume\u0301 vs Café naïve résumé",
    "日本語のテキスト",
    "emoji 🎨🖼️ and 👩‍👩‍👧",
    "ΣΑΣ ÀÉÎ straße İstanbul",
    "\u00a0non\u00a0breaking\u2003em\u2003spaces",
    "hello<|endoftext|>world <|startoftext|>",
    "what!? wow! no!!",
    "the quick brown fox jumps over the lazy dog " * 12,
]


def formula_weights(model):
    """Tensor k in sorted name order: 0.05 sin(0.1 i + k), plus 1 for LayerNorm scales (float64, then float32)."""
    state = model.state_dict()
    names = sorted(state)
    with torch.no_grad():
        for k, name in enumerate(names):
            tensor = state[name]
            count = tensor.numel()
            values = 0.05 * np.sin(0.1 * np.arange(count, dtype=np.float64) + k)
            if "layer_norm" in name and name.endswith("weight"):
                values = values + 1.0
            tensor.copy_(torch.from_numpy(values.astype(np.float32)).reshape(tensor.shape))
    return names


def text_model_config(vocab_size, act):
    return CLIPTextConfig(vocab_size=vocab_size, hidden_size=24, intermediate_size=48, num_hidden_layers=2,
                          num_attention_heads=3, max_position_embeddings=77, hidden_act=act, layer_norm_eps=1e-5,
                          projection_dim=24, bos_token_id=vocab_size - 2, eos_token_id=vocab_size - 1,
                          pad_token_id=vocab_size - 1)


def main():
    vocab, merges = train_vocabulary()
    folder = os.path.join(OUT, "tokenizer")
    shutil.rmtree(folder, ignore_errors=True)
    write_tokenizer(folder, vocab, merges, special("<|endoftext|>"))
    saved = os.path.join(OUT, "tokenizer-json")
    shutil.rmtree(saved, ignore_errors=True)
    CLIPTokenizer.from_pretrained(folder).save_pretrained(saved)
    expected = {"transformers": __import__("transformers").__version__, "cases": []}
    with tempfile.TemporaryDirectory() as sd2:
        write_tokenizer(sd2, vocab, merges, "!")
        for layout, path in (("sd1", folder), ("sd2", sd2)):
            tokenizer = CLIPTokenizer.from_pretrained(path)
            for text in TEXTS:
                ids = tokenizer(text, padding="max_length", max_length=tokenizer.model_max_length,
                                truncation=True).input_ids
                plain = tokenizer(text, add_special_tokens=False).input_ids
                expected["cases"].append({"layout": layout, "text": text, "tokens": plain, "ids": ids})
    with open(os.path.join(OUT, "tokenizer-expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)

    tokenizer = CLIPTokenizer.from_pretrained(folder)
    prompts = ["a red circle on a blue background", ""]
    ids = torch.tensor([tokenizer(p, padding="max_length", max_length=77, truncation=True).input_ids
                        for p in prompts])
    models = []
    for act in ("quick_gelu", "gelu"):
        model = CLIPTextModel(text_model_config(len(vocab), act)).eval()
        names = formula_weights(model)
        with torch.no_grad():
            hidden = model(input_ids=ids).last_hidden_state
        models.append({"hidden_act": act, "config": model.config.to_diff_dict(), "tensors": names,
                       "shape": list(hidden.shape),
                       "last_hidden_state": [round(float(v), 7) for v in hidden.flatten()]})
    with open(os.path.join(OUT, "text-model-expected.json"), "w") as f:
        json.dump({"prompts": prompts, "input_ids": ids.tolist(), "models": models}, f)


if __name__ == "__main__":
    main()
