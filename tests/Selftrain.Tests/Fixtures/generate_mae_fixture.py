"""Writes a tiny MAE-style pretraining checkpoint and reference outputs for the S-Seg+ backbone tests.

Run with Debian's interpreter (torch 1.13):  /usr/bin/python3 generate_mae_fixture.py
Outputs (next to this script):
  mae_tiny.pth          {'model': encoder state dict with MAE/DINO key names (+ mask_token, decoder_* keys that
                         the loader must ignore)}; embed 16, depth 12, heads 2, patch 16, pretrained at 48x48 (3x3 grid)
  mae_tiny_golden.pth   {'pos_embed_64': pos-embed resized to the 4x4 grid of a 64x64 crop (mmseg resize_pos_embed:
                         bicubic, align_corners=False, by size), 'input': [1,3,64,64],
                         'tap3','tap5','tap7','tap11': raw outputs of blocks 3,5,7,11 as maps [1,16,4,4]}
"""
import math
import os
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
D, DEPTH, HEADS, P, PRE, CROP = 16, 12, 2, 16, 48, 64
HERE = os.path.dirname(os.path.abspath(__file__))


def rnd(*shape, std=0.2):
    return torch.randn(*shape) * std


sd = {
    "cls_token": rnd(1, 1, D),
    "pos_embed": rnd(1, 1 + (PRE // P) ** 2, D),
    "mask_token": rnd(1, 1, D),
    "patch_embed.proj.weight": rnd(D, 3, P, P, std=0.02),
    "patch_embed.proj.bias": rnd(D),
    "norm.weight": 1 + rnd(D),
    "norm.bias": rnd(D),
    "decoder_embed.weight": rnd(8, D),
    "decoder_embed.bias": rnd(8),
}
for i in range(DEPTH):
    b = f"blocks.{i}."
    sd[b + "norm1.weight"] = 1 + rnd(D)
    sd[b + "norm1.bias"] = rnd(D)
    sd[b + "attn.qkv.weight"] = rnd(3 * D, D)
    sd[b + "attn.qkv.bias"] = rnd(3 * D)
    sd[b + "attn.proj.weight"] = rnd(D, D)
    sd[b + "attn.proj.bias"] = rnd(D)
    sd[b + "norm2.weight"] = 1 + rnd(D)
    sd[b + "norm2.bias"] = rnd(D)
    sd[b + "mlp.fc1.weight"] = rnd(4 * D, D)
    sd[b + "mlp.fc1.bias"] = rnd(4 * D)
    sd[b + "mlp.fc2.weight"] = rnd(D, 4 * D)
    sd[b + "mlp.fc2.bias"] = rnd(D)
torch.save({"model": sd, "epoch": 799}, os.path.join(HERE, "mae_tiny.pth"))

# mmseg resize_pos_embed: cls kept, grid resized by size with bicubic, align_corners=False.
g_pre, g_new = PRE // P, CROP // P
grid = sd["pos_embed"][:, 1:].reshape(1, g_pre, g_pre, D).permute(0, 3, 1, 2)
grid = F.interpolate(grid, size=(g_new, g_new), mode="bicubic", align_corners=False)
pos = torch.cat([sd["pos_embed"][:, :1], grid.permute(0, 2, 3, 1).reshape(1, g_new * g_new, D)], dim=1)


def block(x, i):
    b = f"blocks.{i}."
    h = F.layer_norm(x, (D,), sd[b + "norm1.weight"], sd[b + "norm1.bias"], eps=1e-6)
    B, N, _ = h.shape
    qkv = F.linear(h, sd[b + "attn.qkv.weight"], sd[b + "attn.qkv.bias"]).reshape(B, N, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    a = (q @ k.transpose(-2, -1)) * (D // HEADS) ** -0.5
    a = a.softmax(dim=-1)
    o = (a @ v).transpose(1, 2).reshape(B, N, D)
    x = x + F.linear(o, sd[b + "attn.proj.weight"], sd[b + "attn.proj.bias"])
    h = F.layer_norm(x, (D,), sd[b + "norm2.weight"], sd[b + "norm2.bias"], eps=1e-6)
    h = F.linear(F.gelu(F.linear(h, sd[b + "mlp.fc1.weight"], sd[b + "mlp.fc1.bias"])), sd[b + "mlp.fc2.weight"], sd[b + "mlp.fc2.bias"])
    return x + h


x_img = torch.randn(1, 3, CROP, CROP)
t = F.conv2d(x_img, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=P).flatten(2).transpose(1, 2)
t = torch.cat([sd["cls_token"].expand(1, -1, -1), t], dim=1) + pos
golden = {"pos_embed_64": pos, "input": x_img}
for i in range(DEPTH):
    t = block(t, i)
    if i in (3, 5, 7, 11):
        golden[f"tap{i}"] = t[:, 1:].transpose(1, 2).reshape(1, D, g_new, g_new).contiguous()
torch.save(golden, os.path.join(HERE, "mae_tiny_golden.pth"))
print("wrote", sorted(golden))
