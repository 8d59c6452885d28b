"""Trains genway's demo text model and writes it as a llama-architecture GGUF file.

    python3 train.py                 # corpus -> tokenizer -> training -> demo-stories.gguf, with a greedy sample
    python3 train.py --steps 50      # a quick smoke run

Needs python3 with torch, numpy and gguf (pip: torch numpy gguf; Debian: python3-torch python3-numpy, and
`pip install gguf`). One CPU thread; everything is seeded, so a rerun on the same torch build gives the same file.

The model is llama.cpp's `llama` architecture: token embedding, per block RMSNorm -> attention with RoPE ->
RMSNorm -> SwiGLU, a final RMSNorm and an untied output matrix. RoPE rotates adjacent pairs (0,1), (2,3), ...
of each head, the order llama.cpp uses for `llama` (its HF converter permutes Q and K rows to get there); this
model is trained in that order, so Q and K are written unpermuted.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import corpus
import tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
    "{% elif message['role'] == 'user' %}{{ message['content'] }}"
    "{% endif %}"
    "{% endfor %}"
)


class Config:
    dim = 128
    layers = 4
    heads = 4
    ffn = 384
    vocab = 768  # at most; the tokenizer's vocabulary sets the real size
    context = 256
    eps = 1e-5
    rope_base = 10000.0


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):
    # x (batch, heads, seq, head_dim); rotates adjacent pairs (2i, 2i+1) by pos * base^(-2i/head_dim)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.heads
        self.attn_norm = RMSNorm(c.dim, c.eps)
        self.wq = nn.Linear(c.dim, c.dim, bias=False)
        self.wk = nn.Linear(c.dim, c.dim, bias=False)
        self.wv = nn.Linear(c.dim, c.dim, bias=False)
        self.wo = nn.Linear(c.dim, c.dim, bias=False)
        self.ffn_norm = RMSNorm(c.dim, c.eps)
        self.gate = nn.Linear(c.dim, c.ffn, bias=False)
        self.up = nn.Linear(c.dim, c.ffn, bias=False)
        self.down = nn.Linear(c.ffn, c.dim, bias=False)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.attn_norm(x)
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.wq(h)), split(self.wk(h)), split(self.wv(h))
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.wo(a.transpose(1, 2).reshape(b, t, d))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(c.vocab, c.dim)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = RMSNorm(c.dim, c.eps)
        self.output = nn.Linear(c.dim, c.vocab, bias=False)
        head_dim = c.dim // c.heads
        inv = c.rope_base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        angles = torch.arange(c.context, dtype=torch.float64)[:, None] * inv[None, :]
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * c.layers) if name.endswith(("wo.weight", "down.weight")) else 0.02
                nn.init.normal_(p, std=std)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, self.cos[:t], self.sin[:t])
        return self.output(self.norm(x))


@torch.no_grad()
def greedy(model, ids, max_tokens, eos):
    """(generated ids, why it stopped: "eos", "max_tokens" or "context")."""
    ids = list(ids)
    out = []
    while len(out) < max_tokens:
        if len(ids) >= model.c.context:
            return out, "context"
        logits = model(torch.tensor([ids]))[0, -1]
        nxt = int(torch.argmax(logits))
        if nxt == eos:
            return out, "eos"
        out.append(nxt)
        ids.append(nxt)
    return out, "max_tokens"


def export_gguf(model, vocab, path):
    import gguf

    c = model.c
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("genway demo stories")
    w.add_description("A tiny llama model genway trains on its own generated children's stories (demo-models/text)")
    w.add_context_length(c.context)
    w.add_embedding_length(c.dim)
    w.add_block_count(c.layers)
    w.add_feed_forward_length(c.ffn)
    w.add_head_count(c.heads)
    w.add_head_count_kv(c.heads)
    w.add_layer_norm_rms_eps(c.eps)
    w.add_rope_freq_base(c.rope_base)
    w.add_rope_dimension_count(c.dim // c.heads)
    w.add_vocab_size(c.vocab)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    tokens, scores, types = vocab
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(tokenizer.BOS)
    w.add_eos_token_id(tokenizer.EOS)
    w.add_unk_token_id(tokenizer.UNK)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(True)
    w.add_chat_template(CHAT_TEMPLATE)
    t = lambda p: p.detach().float().numpy().astype(np.float32)  # (out, in): ggml shape (in, out)
    w.add_tensor("token_embd.weight", t(model.embed.weight))
    for i, b in enumerate(model.blocks):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", t(b.attn_norm.weight))
        w.add_tensor(p + "attn_q.weight", t(b.wq.weight))
        w.add_tensor(p + "attn_k.weight", t(b.wk.weight))
        w.add_tensor(p + "attn_v.weight", t(b.wv.weight))
        w.add_tensor(p + "attn_output.weight", t(b.wo.weight))
        w.add_tensor(p + "ffn_norm.weight", t(b.ffn_norm.weight))
        w.add_tensor(p + "ffn_gate.weight", t(b.gate.weight))
        w.add_tensor(p + "ffn_up.weight", t(b.up.weight))
        w.add_tensor(p + "ffn_down.weight", t(b.down.weight))
    w.add_tensor("output_norm.weight", t(model.norm.weight))
    w.add_tensor("output.weight", t(model.output.weight))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


PROMPTS = ["Once upon a time", "One day, Lily found", "Then Tom met", "Once upon a time, there was a big dog"]


def write_reference(model, tok, out, facts):
    """greedy-reference.json beside the model: each prompt's ids and PyTorch's greedy continuation (tests compare
    the engine against it)."""
    samples = {}
    for prompt in PROMPTS:
        ids = tok.encode(prompt)
        generated, stop = greedy(model, ids, 200, tokenizer.EOS)
        samples[prompt] = {"prompt_ids": ids, "greedy_ids": generated, "stop": stop,
                           "text": prompt + tok.decode(generated)}
        print(f"greedy: {prompt!r} -> {tok.decode(generated)!r} ({stop})", flush=True)
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "greedy-reference.json"), "w") as f:
        json.dump(dict(facts, model=os.path.basename(out), samples=samples), f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--out", default=os.path.join(HERE, "demo-stories.gguf"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    c = Config()

    started = time.time()
    lines = corpus.stories(args.stories, args.seed)
    vocab = tokenizer.train(lines, c.vocab)
    c.vocab = len(vocab[0])
    tok = tokenizer.Tokenizer(*vocab)
    stream, starts = [], []
    for line in lines:
        starts.append(len(stream))
        stream += tok.encode_fast(line) + [tokenizer.EOS]
    stream = torch.tensor(stream)
    starts = torch.tensor([s for s in starts if s + args.seq + 1 <= len(stream)])
    print(f"corpus: {len(lines)} stories, {len(stream)} tokens, vocab {len(vocab[0])}; {time.time() - started:.1f} s", flush=True)

    model = Model(c)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params} parameters", flush=True)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    warmup = min(100, args.steps // 10)
    gen = torch.Generator().manual_seed(args.seed)
    train_start = time.time()
    for step in range(args.steps):
        lr = args.lr * (step + 1) / warmup if step < warmup else \
            args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, args.steps - warmup))))
        for g in opt.param_groups:
            g["lr"] = lr
        pick = starts[torch.randint(len(starts), (args.batch,), generator=gen)]
        batch = torch.stack([stream[s:s + args.seq + 1] for s in pick.tolist()])
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, c.vocab), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.4f} lr {lr:.5f} {time.time() - train_start:.0f} s", flush=True)
    train_seconds = time.time() - train_start
    print(f"training: {args.steps} steps in {train_seconds:.0f} s", flush=True)

    model.eval()
    torch.save({'model': model.state_dict(), 'vocab': vocab}, os.environ.get('DEMO_CHECKPOINT', '/tmp/demo-text-checkpoint.pt'))
    export_gguf(model, vocab, args.out)
    write_reference(model, tok, args.out, {"train_seconds": round(train_seconds), "steps": args.steps,
                                           "final_loss": round(loss.item(), 4)})
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes); total {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
