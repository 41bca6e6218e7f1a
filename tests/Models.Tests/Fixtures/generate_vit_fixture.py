#!/usr/bin/python3
"""Golden outputs for the C# VisionTransformer (run with Debian's /usr/bin/python3, PyTorch 1.13).

A ViT written here independently, following DINO's vision_transformer.py semantics (docs/method.md §3.2):
Conv patch embed, CLS token, learned pos-embed with bicubic scale-factor interpolation (+0.1 trick),
pre-norm blocks (LayerNorm eps 1e-6), qkv rows [q|k|v] with contiguous heads, exact erf GELU, final norm.
Random weights for two tiny configs; writes weights (.pth and safetensors) and reference outputs.

Files:
  vit_p8.pth / vit_p8.safetensors       embed 48, depth 2, heads 3, patch 8, pos-embed for 32x32 (4x4 grid)
  vit_p16.safetensors                   embed 24, depth 2, heads 3, patch 16, pos-embed for 224 (14x14 grid)
  vit_reference.safetensors             inputs and outputs (see names below)
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, c)
        merge = lambda t: t.transpose(1, 2).reshape(b, n, c)
        return self.proj(out), attn, merge(q), merge(k), merge(v)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * 4)

    def forward(self, x):
        y, attn, q, k, v = self.attn(self.norm1(x))
        x = x + y
        x = x + self.mlp(self.norm2(x))
        return x, attn, q, k, v


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)


class ViT(nn.Module):
    def __init__(self, img, patch, dim, depth, heads):
        super().__init__()
        self.patch = patch
        self.patch_embed = PatchEmbed(patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + (img // patch) ** 2, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def pos_for(self, h, w, npatch):
        n = self.pos_embed.shape[1] - 1
        if npatch == n and h == w:
            return self.pos_embed
        side = int(math.sqrt(n))
        dim = self.pos_embed.shape[-1]
        h0, w0 = h // self.patch + 0.1, w // self.patch + 0.1
        grid = self.pos_embed[:, 1:].reshape(1, side, side, dim).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=(h0 / side, w0 / side), mode="bicubic")
        assert grid.shape[-2] == int(h0) and grid.shape[-1] == int(w0)
        grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
        return torch.cat([self.pos_embed[:, :1], grid], dim=1)

    def forward(self, x):
        b, _, h, w = x.shape
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(b, -1, -1), t], dim=1)
        t = t + self.pos_for(h, w, t.shape[1] - 1)
        inter = []
        for blk in self.blocks:
            t, attn, q, k, v = blk(t)
            inter.append(t)
        return {"tokens": self.norm(t), "block0": inter[0], "q": q, "k": k, "v": v, "attn": attn}


def randomize(model, gen):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name in ("pos_embed", "cls_token"):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def main():
    gen = torch.Generator().manual_seed(1234)
    ref = {}

    small = ViT(img=32, patch=8, dim=48, depth=2, heads=3).eval()
    randomize(small, gen)
    sd = small.state_dict()
    torch.save(sd, os.path.join(HERE, "vit_p8.pth"))
    save_safetensors(sd, os.path.join(HERE, "vit_p8.safetensors"))
    a = torch.randn(2, 3, 32, 32, generator=gen)
    b = torch.randn(1, 3, 40, 24, generator=gen)
    with torch.no_grad():
        out_a = small(a)
        out_b = small(b)
    ref["p8.a.input"] = a
    for key, t in out_a.items():
        ref[f"p8.a.{key}"] = t
    ref["p8.b.input"] = b
    ref["p8.b.tokens"] = out_b["tokens"]
    ref["p8.b.k"] = out_b["k"]

    big = ViT(img=224, patch=16, dim=24, depth=2, heads=3).eval()
    randomize(big, gen)
    save_safetensors(big.state_dict(), os.path.join(HERE, "vit_p16.safetensors"))
    img = torch.randint(0, 256, (1, 3, 224, 224), generator=gen, dtype=torch.uint8)
    x = (img.float() / 255.0 - 0.45) / 0.25
    with torch.no_grad():
        ref["p16.full.tokens"] = big(x)["tokens"]
        ref["p16.crop.tokens"] = big(x[:, :, :160, :])["tokens"]  # 10x14 grid: non-square interpolation
    ref["p16.image_u8"] = img

    save_safetensors(ref, os.path.join(HERE, "vit_reference.safetensors"), {"torch": torch.__version__})

    # Wrapped checkpoints as DINO full checkpoints (teacher dict, backbone./head. keys) and MAE (model key,
    # DDP module. prefix) write them: the loader must unwrap and strip prefixes.
    w = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    b = torch.tensor([0.5, -0.5])
    torch.save({"teacher": {"backbone.weight": w, "backbone.bias": b, "head.last_layer.weight": torch.ones(1)},
                "student": {"module.backbone.weight": w * 0}, "epoch": 100},
               os.path.join(HERE, "wrapped_teacher.pth"))
    torch.save({"model": {"module.weight": w, "module.bias": b}, "epoch": 799},
               os.path.join(HERE, "wrapped_model.pth"))
    print("written", sorted(ref.keys()))


if __name__ == "__main__":
    main()
