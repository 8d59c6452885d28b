"""Writes the architecture fixtures ArchitectureFixturesTest reads: tiny random Qwen2 and Mistral models built with
transformers, each saved as a GGUF laid out the way llama.cpp's converter lays out that model, and transformers'
own logits and greedy continuations for fixed token ids (an independent reference: genway's code plays no part).

  qwen2-tiny.gguf    general.architecture = qwen2: q/k/v biases, NeoX RoPE (Q and K stored as transformers has
                     them), tied output (no output.weight), a byte-level BPE vocabulary with tokenizer.ggml.pre = qwen2
  mistral-tiny.gguf  general.architecture = llama, as llama.cpp's converter writes MistralForCausalLM: Q and K rows
                     permuted for RoPE on adjacent pairs, an output.weight, a SentencePiece vocabulary; plus
                     llama.attention.sliding_window (gguf-py's key; llama.cpp's converter leaves it out and
                     llama.cpp attends to everything), shorter than the sequences so that the window matters

Facts taken from llama.cpp: conversion/__init__.py maps MistralForCausalLM to LlamaModel (architecture llama);
conversion/llama.py permutes q_proj/k_proj rows (per head: the first and second halves interleaved), qwen's
Qwen2Model does not; src/llama-model.cpp llama_model_rope_type gives LLAMA_ROPE_TYPE_NORM for llama and NEOX
for qwen2, and qwen2 loads attn_q/k/v.bias and falls back to token_embd.weight when output.weight is absent.

Run from this folder: python3 make_arch_fixtures.py   (needs torch, transformers, numpy and gguf; the tests
themselves need no Python). Deterministic: fixed seeds, CPU, float32, eager attention.
"""
import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from gguf import GGUFWriter, TokenType
from transformers import MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM

OUT = Path(__file__).resolve().parent.parent / "src/test/resources/arch"
HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, CONTEXT = 64, 64, 2, 4, 2, 64
PROMPT, CONTINUATION = 12, 12
SLIDING_WINDOW = 6
SAMPLE_TEXT = ("the cat sat on the mat and the dog sat on the log; then the cat saw the dog "
               "and the dog saw the cat, and they both sat in the sun on the mat.")

torch.set_num_threads(1)


def randomize(model, seed):
    """Replaces transformers' small init (std 0.02, zero biases) with weights that give spread-out logits."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.3 * (torch.rand(p.shape, generator=g) - 0.5))
            elif name.endswith(".bias"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(torch.randn(p.shape, generator=g) / p.shape[1] ** 0.5)


def byte_symbols():
    """GPT-2's printable stand-in for each byte: printable Latin-1 bytes stand for themselves, the rest 256 + n."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return [table[b] for b in range(256)]


def qwen2_vocab(merge_count=40):
    """256 byte symbols, merges learned greedily on SAMPLE_TEXT's words (a leading space joins its word), 3 specials."""
    symbols = byte_symbols()
    words = Counter()
    for i, word in enumerate(SAMPLE_TEXT.split(" ")):
        text = (" " if i else "") + word
        words[tuple(symbols[b] for b in text.encode())] += 1
    tokens, merges = list(symbols), []
    for _ in range(merge_count):
        pairs = Counter()
        for word, n in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(a + " " + b)
        tokens.append(a + b)
        merged = Counter()
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += n
        words = merged
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    types = [TokenType.NORMAL] * len(tokens) + [TokenType.CONTROL] * len(specials)
    return tokens + specials, types, merges


def sentencepiece_vocab(size=128):
    """<unk>, <s>, </s>, then '▁' and the letters, then SAMPLE_TEXT's most frequent word pieces; scores by rank."""
    pieces = ["\u2581"] + [chr(c) for c in range(ord("a"), ord("z") + 1)] + [",", ";", "."]
    words = Counter("\u2581" + w.strip(",;.") for w in SAMPLE_TEXT.split(" "))
    grams = Counter()
    for word, n in words.items():
        for length in range(2, len(word) + 1):
            for i in range(len(word) - length + 1):
                grams[word[i:i + length]] += n * length
    for gram, _ in sorted(grams.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(pieces) == size - 3:
            break
        if gram not in pieces:
            pieces.append(gram)
    tokens = ["<unk>", "<s>", "</s>"] + pieces
    scores = [0.0, 0.0, 0.0] + [-float(i) for i in range(len(pieces))]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL] + [TokenType.NORMAL] * len(pieces)
    return tokens, scores, types


def permute_for_adjacent_pairs(w, heads):
    """Per head, rows (first half, second half) become interleaved pairs, so that RoPE on adjacent elements
    (llama.cpp's NORM order) rotates what transformers' rotate_half rotates."""
    rows = w.shape[0]
    return w.reshape(heads, 2, rows // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def f32(t):
    return t.detach().to(torch.float32).numpy().astype(np.float32)


def write_common(w, arch, model, context):
    c = model.config
    w.add_name(arch + "-tiny")
    w.add_file_type(0)  # all F32
    w.add_context_length(context)
    w.add_embedding_length(c.hidden_size)
    w.add_block_count(c.num_hidden_layers)
    w.add_feed_forward_length(c.intermediate_size)
    w.add_head_count(c.num_attention_heads)
    w.add_head_count_kv(c.num_key_value_heads)
    w.add_rope_freq_base(c.rope_parameters["rope_theta"])
    w.add_layer_norm_rms_eps(c.rms_norm_eps)


def write_tensors(w, model, permute):
    c = model.config
    sd = model.state_dict()
    w.add_tensor("token_embd.weight", f32(sd["model.embed_tokens.weight"]))
    for l in range(c.num_hidden_layers):
        p, g = f"model.layers.{l}.", f"blk.{l}."
        q, k = sd[p + "self_attn.q_proj.weight"], sd[p + "self_attn.k_proj.weight"]
        if permute:
            q, k = permute_for_adjacent_pairs(q, c.num_attention_heads), permute_for_adjacent_pairs(k, c.num_key_value_heads)
        w.add_tensor(g + "attn_norm.weight", f32(sd[p + "input_layernorm.weight"]))
        w.add_tensor(g + "attn_q.weight", f32(q))
        w.add_tensor(g + "attn_k.weight", f32(k))
        w.add_tensor(g + "attn_v.weight", f32(sd[p + "self_attn.v_proj.weight"]))
        for proj in ("q", "k", "v"):
            if p + f"self_attn.{proj}_proj.bias" in sd:
                assert not permute, "the llama converter would permute the q/k biases too"
                w.add_tensor(g + f"attn_{proj}.bias", f32(sd[p + f"self_attn.{proj}_proj.bias"]))
        w.add_tensor(g + "attn_output.weight", f32(sd[p + "self_attn.o_proj.weight"]))
        w.add_tensor(g + "ffn_norm.weight", f32(sd[p + "post_attention_layernorm.weight"]))
        w.add_tensor(g + "ffn_gate.weight", f32(sd[p + "mlp.gate_proj.weight"]))
        w.add_tensor(g + "ffn_up.weight", f32(sd[p + "mlp.up_proj.weight"]))
        w.add_tensor(g + "ffn_down.weight", f32(sd[p + "mlp.down_proj.weight"]))
    w.add_tensor("output_norm.weight", f32(sd["model.norm.weight"]))
    if not c.tie_word_embeddings:
        w.add_tensor("output.weight", f32(sd["lm_head.weight"]))


def reference(model, prompts):
    """Per prompt: transformers' greedy continuation, and its logits at every position of prompt + continuation."""
    cases = []
    for prompt in prompts:
        ids = torch.tensor([prompt])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=CONTINUATION, do_sample=False,
                             min_new_tokens=CONTINUATION, pad_token_id=0, eos_token_id=None)
        greedy = out[0, len(prompt):].tolist()
        with torch.no_grad():
            logits = model(out).logits[0]
        # the cached generate and the uncached forward agree on every greedy choice
        assert logits[len(prompt) - 1:-1].argmax(-1).tolist() == greedy, "generate disagrees with a full forward"
        top2 = logits.topk(2, dim=-1).values
        cases.append({
            "prompt": prompt,
            "greedy": greedy,
            "min_top2_gap": float((top2[:, 0] - top2[:, 1]).min()),
            "logits": [[float(f"{x:.8g}") for x in row] for row in logits.tolist()],
        })
    return cases


def save(name, model, prompts, extra):
    path = OUT / f"{name}-reference.json"
    data = {"model": f"{name}-tiny.gguf", **extra, "cases": reference(model, prompts)}
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(path.name, path.stat().st_size, "bytes; min top-2 logit gap", min(c["min_top2_gap"] for c in data["cases"]))


def prompts_for(vocab, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(3, vocab, PROMPT).tolist(), rng.integers(3, vocab, PROMPT - 4).tolist()]


def qwen2():
    tokens, types, merges = qwen2_vocab()
    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=len(tokens), hidden_size=HIDDEN, intermediate_size=FFN, num_hidden_layers=LAYERS,
                         num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=CONTEXT,
                         rms_norm_eps=1e-6, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
                         tie_word_embeddings=True, use_sliding_window=False, attn_implementation="eager")
    model = Qwen2ForCausalLM(config).eval()
    randomize(model, 1)
    model.tie_weights()
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()

    print("qwen2 vocabulary:", len(tokens), "tokens,", len(merges), "merges")
    w = GGUFWriter(str(OUT / "qwen2-tiny.gguf"), "qwen2")
    write_common(w, "qwen2", model, CONTEXT)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    eos = tokens.index("<|endoftext|>")
    w.add_eos_token_id(eos)
    w.add_bos_token_id(eos)
    w.add_pad_token_id(eos)
    w.add_add_bos_token(False)
    write_tensors(w, model, permute=False)
    finish(w, "qwen2-tiny.gguf")
    save("qwen2", model, prompts_for(len(tokens) - 3, 2), {"architecture": "qwen2"})


def mistral():
    tokens, scores, types = sentencepiece_vocab()
    torch.manual_seed(0)
    config = MistralConfig(vocab_size=len(tokens), hidden_size=HIDDEN, intermediate_size=FFN, num_hidden_layers=LAYERS,
                           num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=CONTEXT,
                           rms_norm_eps=1e-5, rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
                           sliding_window=SLIDING_WINDOW, tie_word_embeddings=False, attn_implementation="eager")
    model = MistralForCausalLM(config).eval()
    randomize(model, 3)

    w = GGUFWriter(str(OUT / "mistral-tiny.gguf"), "llama")
    write_common(w, "llama", model, CONTEXT)
    w.add_vocab_size(len(tokens))
    w.add_rope_dimension_count(HIDDEN // HEADS)
    w.add_sliding_window(SLIDING_WINDOW)
    w.add_tokenizer_model("llama")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    write_tensors(w, model, permute=True)
    finish(w, "mistral-tiny.gguf")
    prompts = prompts_for(len(tokens), 4)
    save("mistral", model, prompts, {"architecture": "llama", "sliding_window": SLIDING_WINDOW})
    # the window matters: attending to everything changes the logits past it
    ids = torch.tensor([prompts[0]])
    with torch.no_grad():
        windowed = model(ids).logits
        model.config.sliding_window = None
        full = model(ids).logits
    gap = float((windowed - full).abs().max())
    assert gap > 0.1, gap
    print("mistral: attending past the window moves logits by up to", gap)


def finish(w, name):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(name, (OUT / name).stat().st_size, "bytes")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    qwen2()
    mistral()
