"""Plain PyTorch versions of the diffusers models genway runs natively, written from diffusers' documented
semantics with diffusers' state-dict names, so they load the same safetensors. They are the independent reference
the Java forward passes are checked against (there is no diffusers package here); see make_expected.py.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def timestep_sinusoid(timesteps, dim, flip_sin_to_cos, freq_shift):
    half = dim // 2
    exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - freq_shift)
    angles = timesteps.float()[:, None] * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    return emb


class TimestepEmbedding(nn.Module):
    def __init__(self, width, time):
        super().__init__()
        self.linear_1 = nn.Linear(width, time)
        self.linear_2 = nn.Linear(time, time)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, time, groups, eps, scale=1.0):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(time, cout) if time else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None
        self.scale = scale

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        skip = x if self.conv_shortcut is None else self.conv_shortcut(x)
        return (skip + h) / self.scale


def multihead(q, k, v, heads):
    b, lq, width = q.shape
    d = width // heads
    split = lambda t: t.reshape(b, t.shape[1], heads, d).transpose(1, 2)
    scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(d)
    out = scores.softmax(dim=-1) @ split(v)
    return out.transpose(1, 2).reshape(b, lq, width)


class SpatialAttention(nn.Module):
    """diffusers' Attention with a group norm and biased projections (attention blocks of UNet2DModel, the VAE)."""

    def __init__(self, width, head_dim, groups, eps, rescale=1.0):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, width, eps=eps)
        self.to_q = nn.Linear(width, width)
        self.to_k = nn.Linear(width, width)
        self.to_v = nn.Linear(width, width)
        self.to_out = nn.ModuleList([nn.Linear(width, width)])
        self.heads = width // head_dim
        self.rescale = rescale

    def forward(self, x, context=None):
        b, c, h, w = x.shape
        t = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        out = self.to_out[0](multihead(self.to_q(t), self.to_k(t), self.to_v(t), self.heads))
        return (out.transpose(1, 2).reshape(b, c, h, w) + x) / self.rescale


class CrossAttention(nn.Module):
    def __init__(self, width, context, heads):
        super().__init__()
        self.to_q = nn.Linear(width, width, bias=False)
        self.to_k = nn.Linear(context, width, bias=False)
        self.to_v = nn.Linear(context, width, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(width, width)])
        self.heads = heads

    def forward(self, x, context):
        return self.to_out[0](multihead(self.to_q(x), self.to_k(context), self.to_v(context), self.heads))


class GEGLU(nn.Module):
    def __init__(self, width, inner):
        super().__init__()
        self.proj = nn.Linear(width, 2 * inner)

    def forward(self, x):
        hidden, gate = self.proj(x).chunk(2, dim=-1)
        return hidden * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        # net.1 is dropout in diffusers: it has no weights
        self.net = nn.ModuleList([GEGLU(width, 4 * width), nn.Identity(), nn.Linear(4 * width, width)])

    def forward(self, x):
        for layer in self.net:
            x = layer(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, width, context, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attn1 = CrossAttention(width, width, heads)
        self.norm2 = nn.LayerNorm(width)
        self.attn2 = CrossAttention(width, context, heads)
        self.norm3 = nn.LayerNorm(width)
        self.ff = FeedForward(width)

    def forward(self, x, context):
        h = self.norm1(x)
        x = self.attn1(h, h) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class Transformer2DModel(nn.Module):
    def __init__(self, width, context, heads, layers, groups, linear):
        super().__init__()
        self.norm = nn.GroupNorm(groups, width, eps=1e-6)
        self.linear = linear
        self.proj_in = nn.Linear(width, width) if linear else nn.Conv2d(width, width, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(width, context, heads) for _ in range(layers)])
        self.proj_out = nn.Linear(width, width) if linear else nn.Conv2d(width, width, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.norm(x)
        if self.linear:
            t = self.proj_in(t.reshape(b, c, h * w).transpose(1, 2))
        else:
            t = self.proj_in(t).reshape(b, c, h * w).transpose(1, 2)
        for block in self.transformer_blocks:
            t = block(t, context)
        if self.linear:
            t = self.proj_out(t).transpose(1, 2).reshape(b, c, h, w)
        else:
            t = self.proj_out(t.transpose(1, 2).reshape(b, c, h, w))
        return t + x


class Resample(nn.Module):
    def __init__(self, width, down):
        super().__init__()
        self.conv = nn.Conv2d(width, width, 3, stride=2 if down else 1, padding=1)
        self.down = down

    def forward(self, x):
        return self.conv(x if self.down else F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Block(nn.Module):
    def __init__(self, resnets, attentions, resample, kind):
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        if attentions:
            self.attentions = nn.ModuleList(attentions)
        if resample is not None:
            setattr(self, kind, nn.ModuleList([resample]))
        self.kind = kind

    def samplers(self):
        return getattr(self, self.kind, None)


class MidBlock(nn.Module):
    def __init__(self, resnets, attention):
        super().__init__()
        if attention is not None:
            self.attentions = nn.ModuleList([attention])
        self.resnets = nn.ModuleList(resnets)

    def forward(self, x, temb, context):
        x = self.resnets[0](x, temb)
        if hasattr(self, "attentions"):
            x = self.attentions[0](x, context)
        return self.resnets[1](x, temb)


class UNet(nn.Module):
    """UNet2DModel (conditional=False) and UNet2DConditionModel (conditional=True) from their diffusers configs."""

    def __init__(self, cfg, conditional):
        super().__init__()
        ch = cfg["block_out_channels"]
        n = len(ch)
        time = ch[0] * 4
        groups = cfg.get("norm_num_groups", 32)
        eps = cfg.get("norm_eps", 1e-5)
        per_block = lambda v: v if isinstance(v, list) else [v] * n
        self.cfg = cfg
        self.conditional = conditional
        self.conv_in = nn.Conv2d(cfg["in_channels"], ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], time)
        if cfg.get("class_embed_type") == "timestep":
            self.class_embedding = TimestepEmbedding(ch[0], time)
        elif cfg.get("num_class_embeds"):
            self.class_embedding = nn.Embedding(cfg["num_class_embeds"], time)
        layers = cfg.get("layers_per_block", 2)
        if conditional:
            heads = per_block(cfg.get("attention_head_dim", 8))
            tlayers = per_block(cfg.get("transformer_layers_per_block", 1))
            ctx = cfg["cross_attention_dim"]
            linear = cfg.get("use_linear_projection", False)
            mixer = lambda width, i: Transformer2DModel(width, ctx, heads[i], tlayers[i], groups, linear)
            has_attention = lambda kind: kind.startswith("CrossAttn")
        else:
            head_dims = per_block(cfg.get("attention_head_dim", 8)) if cfg.get("attention_head_dim", 8) else ch
            attn_groups = cfg.get("attn_norm_num_groups") or groups
            mixer = lambda width, i: SpatialAttention(width, head_dims[i], attn_groups, eps)
            has_attention = lambda kind: kind.startswith("Attn")
        self.down_blocks = nn.ModuleList()
        for i, kind in enumerate(cfg["down_block_types"]):
            cin = ch[0] if i == 0 else ch[i - 1]
            resnets = [ResnetBlock2D(cin if j == 0 else ch[i], ch[i], time, groups, eps) for j in range(layers)]
            attentions = [mixer(ch[i], i) for _ in range(layers)] if has_attention(kind) else []
            down = Resample(ch[i], True) if i < n - 1 else None
            self.down_blocks.append(Block(resnets, attentions, down, "downsamplers"))
        scale = cfg.get("mid_block_scale_factor", 1)
        mid_attention = mixer(ch[-1], n - 1) if conditional or cfg.get("add_attention", True) else None
        if mid_attention is not None and not conditional:
            mid_attention.rescale = scale
        self.mid_block = MidBlock([ResnetBlock2D(ch[-1], ch[-1], time, groups, eps, scale) for _ in range(2)],
                                  mid_attention)
        self.up_blocks = nn.ModuleList()
        rev = list(reversed(ch))
        for i, kind in enumerate(cfg["up_block_types"]):
            width = rev[i]
            prev = rev[max(i - 1, 0)]
            skip_in = rev[min(i + 1, n - 1)]
            resnets = []
            for j in range(layers + 1):
                skip = skip_in if j == layers else width
                resnets.append(ResnetBlock2D((prev if j == 0 else width) + skip, width, time, groups, eps))
            attentions = [mixer(width, n - 1 - i) for _ in range(layers + 1)] if has_attention(kind) else []
            up = Resample(width, False) if i < n - 1 else None
            self.up_blocks.append(Block(resnets, attentions, up, "upsamplers"))
        self.conv_norm_out = nn.GroupNorm(groups, ch[0], eps=eps)
        self.conv_out = nn.Conv2d(ch[0], cfg["out_channels"], 3, padding=1)

    def time_proj(self, timesteps):
        return timestep_sinusoid(timesteps, self.cfg["block_out_channels"][0], self.cfg.get("flip_sin_to_cos", True),
                                 self.cfg.get("freq_shift", 0))

    def forward(self, x, timestep, context=None, class_labels=None):
        timesteps = torch.full((x.shape[0],), float(timestep))
        temb = self.time_embedding(self.time_proj(timesteps))
        if hasattr(self, "class_embedding"):
            if self.cfg.get("class_embed_type") == "timestep":
                temb = temb + self.class_embedding(self.time_proj(class_labels))
            else:
                temb = temb + self.class_embedding(class_labels)
        if self.cfg.get("center_input_sample", False):
            x = 2 * x - 1.0
        x = self.conv_in(x)
        skips = [x]
        for block in self.down_blocks:
            for j, resnet in enumerate(block.resnets):
                x = resnet(x, temb)
                if hasattr(block, "attentions"):
                    x = block.attentions[j](x, context)
                skips.append(x)
            if block.samplers() is not None:
                x = block.samplers()[0](x)
                skips.append(x)
        x = self.mid_block(x, temb, context)
        for block in self.up_blocks:
            for j, resnet in enumerate(block.resnets):
                x = resnet(torch.cat([x, skips.pop()], dim=1), temb)
                if hasattr(block, "attentions"):
                    x = block.attentions[j](x, context)
            if block.samplers() is not None:
                x = block.samplers()[0](x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch = cfg["block_out_channels"]
        n = len(ch)
        groups = cfg.get("norm_num_groups", 32)
        layers = cfg.get("layers_per_block", 1)
        self.conv_in = nn.Conv2d(cfg["latent_channels"], ch[-1], 3, padding=1)
        attention = SpatialAttention(ch[-1], ch[-1], groups, 1e-6) if cfg.get("mid_block_add_attention", True) else None
        self.mid_block = MidBlock([ResnetBlock2D(ch[-1], ch[-1], 0, groups, 1e-6) for _ in range(2)], attention)
        rev = list(reversed(ch))
        self.up_blocks = nn.ModuleList()
        for i in range(n):
            prev = rev[max(i - 1, 0)]
            resnets = [ResnetBlock2D(prev if j == 0 else rev[i], rev[i], 0, groups, 1e-6) for j in range(layers + 1)]
            up = Resample(rev[i], False) if i < n - 1 else None
            self.up_blocks.append(Block(resnets, [], up, "upsamplers"))
        self.conv_norm_out = nn.GroupNorm(groups, ch[0], eps=1e-6)
        self.conv_out = nn.Conv2d(ch[0], cfg["out_channels"], 3, padding=1)

    def forward(self, z):
        x = self.mid_block(self.conv_in(z), None, None)
        for block in self.up_blocks:
            for resnet in block.resnets:
                x = resnet(x, None)
            if block.samplers() is not None:
                x = block.samplers()[0](x)
        return self.conv_out(F.silu(self.conv_norm_out(x)))


class AutoencoderKLDecoder(nn.Module):
    """The decoding half of AutoencoderKL; its state dict is the checkpoint's decoder.* and post_quant_conv.*."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.decoder = Decoder(cfg)
        latent = cfg["latent_channels"]
        self.post_quant_conv = nn.Conv2d(latent, latent, 1) if cfg.get("use_post_quant_conv", True) else None

    def forward(self, latents):
        z = latents / self.cfg.get("scaling_factor", 0.18215) + (self.cfg.get("shift_factor") or 0.0)
        if self.post_quant_conv is not None:
            z = self.post_quant_conv(z)
        return self.decoder(z)
