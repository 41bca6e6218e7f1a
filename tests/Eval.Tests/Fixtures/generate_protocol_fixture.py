#!/usr/bin/python3
"""Golden fixture for the whole per-image protocol, written independently after mmseg's slide_inference and
GroupViT's background rule, with a linear-softmax "model" whose weights are stored in the fixture.

Steps: mmcv keep-ratio size (2048, 448); bilinear resize (align_corners=False) rounded to uint8 values; ImageNet
normalization; 448/224 slide grid; per window softmax(W·x + b) over C classes, then background channel
(tau_eff = min(tau, window max); bg where pixel max < tau_eff); canvas sum / count; bilinear resize back to the
original size; argmax. Run with Debian's /usr/bin/python3 (torch 1.13, numpy). Writes protocol_golden.json.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

MEAN = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)


def rescale_size(w, h, scale=(2048, 448)):
    f = min(max(scale) / max(h, w), min(scale) / min(h, w))
    return int(w * float(f) + 0.5), int(h * float(f) + 0.5)


def score(x, W, b, tau):
    logits = torch.einsum("bxhw,kx->bkhw", x, W) + b.view(1, -1, 1, 1)
    s = logits.softmax(1)
    tau_eff = min(tau, float(s.max()))
    bg = (s.max(1, keepdim=True)[0] < tau_eff).float()
    return torch.cat([bg, s], 1)


def slide(x, W, b, tau, crop=448, stride=224):
    _, _, H, Wd = x.shape
    C = W.shape[0] + 1
    h_grids = max(H - crop + stride - 1, 0) // stride + 1
    w_grids = max(Wd - crop + stride - 1, 0) // stride + 1
    preds = x.new_zeros((1, C, H, Wd))
    count = x.new_zeros((1, 1, H, Wd))
    for h_idx in range(h_grids):
        for w_idx in range(w_grids):
            y1, x1 = h_idx * stride, w_idx * stride
            y2, x2 = min(y1 + crop, H), min(x1 + crop, Wd)
            y1, x1 = max(y2 - crop, 0), max(x2 - crop, 0)
            out = score(x[:, :, y1:y2, x1:x2], W, b, tau)
            preds += F.pad(out, (int(x1), int(preds.shape[3] - x2), int(y1), int(preds.shape[2] - y2)))
            count[:, :, y1:y2, x1:x2] += 1
    return preds / count


def main():
    rng = np.random.RandomState(17)
    h, w = 23, 37
    # smooth-ish image so classes form regions: random low-res upsampled plus noise
    base = rng.randint(0, 256, size=(4, 6, 3)).astype(np.float32)
    img = F.interpolate(torch.from_numpy(base).permute(2, 0, 1)[None], size=(h, w), mode="bilinear", align_corners=False)[0]
    img = (img.permute(1, 2, 0).numpy() + rng.randint(-20, 21, size=(h, w, 3))).clip(0, 255).astype(np.uint8)
    C, tau = 4, 0.5
    W = torch.from_numpy(rng.randn(C, 3).astype(np.float32) * 1.5)
    b = torch.from_numpy(rng.randn(C).astype(np.float32) * 0.3)

    tw, th = rescale_size(w, h)
    t = torch.from_numpy(img.astype(np.float32)).permute(2, 0, 1)[None]
    r = F.interpolate(t, size=(th, tw), mode="bilinear", align_corners=False).round().clamp(0, 255)
    x = (r - MEAN) / STD
    avg = slide(x, W, b, tau)
    final = F.interpolate(avg, size=(h, w), mode="bilinear", align_corners=False)[0]
    labels = final.argmax(0)
    top2 = final.topk(2, dim=0)[0]
    out = {
        "height": h, "width": w, "rgb": img.ravel().tolist(), "classes": C, "tau": tau,
        "weights": W.numpy().ravel().tolist(), "bias": b.numpy().tolist(), "resized": [tw, th],
        "labels": labels.numpy().ravel().tolist(),
        "margin": [float(v) for v in (top2[0] - top2[1]).numpy().ravel()],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, "resized", (tw, th), "label histogram", np.bincount(labels.numpy().ravel(), minlength=C + 1))


if __name__ == "__main__":
    main()
