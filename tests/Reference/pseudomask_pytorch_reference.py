#!/usr/bin/python3
"""PyTorch reference for `bench pseudomask`: ViT-S/16 (timm-free, DINO layout) forward + batched k-means at 224 on CPU.
Run with Debian's /usr/bin/python3 (torch 1.13) at the same time as the C# bench to compare under the same load:
    /usr/bin/python3 tests/Reference/pseudomask_pytorch_reference.py --threads 2 --images 64 --batch 16
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.norm1, self.norm2 = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, self.h, d // self.h).permute(2, 0, 3, 1, 4)
        a = ((q @ k.transpose(-2, -1)) * (d // self.h) ** -0.5).softmax(-1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(b, n, d))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    def __init__(self, d=384, depth=12, h=6, p=16):
        super().__init__()
        self.proj = nn.Conv2d(3, d, p, p)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1, 197, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, h) for _ in range(depth)])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def forward(self, x):
        t = self.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(len(t), -1, -1), t], 1) + self.pos
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t)


def kmeans(x, k=8, iters=30):
    c = x[:, torch.randperm(x.shape[1])[:k]]
    labels = None
    for _ in range(iters):
        a = ((c ** 2).sum(-1)[:, None, :] - 2 * x @ c.transpose(1, 2)).argmin(-1)
        if labels is not None and (a == labels).all():
            break
        labels = a
        oh = F.one_hot(a, k).float()
        c = oh.transpose(1, 2) @ x / oh.sum(1).clamp(min=1)[..., None]
    return labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=64)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = ViT().eval()
    x = torch.randn(args.batch, 3, 224, 224)
    with torch.no_grad():
        model(x)
        for with_kmeans in (False, True):
            start = time.time()
            for _ in range(args.images // args.batch):
                f = F.normalize(model(torch.randn(args.batch, 3, 224, 224))[:, 1:], dim=-1)
                if with_kmeans:
                    kmeans(f)
            n = args.images // args.batch * args.batch
            print(f"pytorch {torch.__version__} {'forward+kmeans' if with_kmeans else 'forward       '}: "
                  f"{n / (time.time() - start):.2f} images/s ({args.threads} threads)")


if __name__ == "__main__":
    main()
