#!/usr/bin/python3
"""Golden fixtures for the S-Seg losses (docs/method.md §5), computed with torch 1.13 + SciPy.
Run with Debian's /usr/bin/python3; writes losses_golden.json beside this script.
The formulas follow MaskFormer's criterion/matcher (class term dropped) and GroupViT's contrastive losses."""
import json, math, os
import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)
ALPHA, GAMMA = 0.25, 2.0
W_FOCAL, W_DICE = 20.0, 1.0


def focal_cost(inputs, targets):  # [Q,HW], [K,HW] -> [Q,K]
    hw = inputs.shape[1]
    prob = inputs.sigmoid()
    pos = ((1 - prob) ** GAMMA) * F.binary_cross_entropy_with_logits(inputs, torch.ones_like(inputs), reduction="none")
    neg = (prob ** GAMMA) * F.binary_cross_entropy_with_logits(inputs, torch.zeros_like(inputs), reduction="none")
    pos, neg = pos * ALPHA, neg * (1 - ALPHA)
    return (pos @ targets.T + neg @ (1 - targets).T) / hw


def dice_cost(inputs, targets):
    p = inputs.sigmoid()
    num = 2 * p @ targets.T
    den = p.sum(-1)[:, None] + targets.sum(-1)[None, :]
    return 1 - (num + 1) / (den + 1)


def focal_loss(inputs, targets, num_masks):
    prob = inputs.sigmoid()
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = prob * targets + (1 - prob) * (1 - targets)
    loss = ce * ((1 - p_t) ** GAMMA)
    loss = (ALPHA * targets + (1 - ALPHA) * (1 - targets)) * loss
    return loss.mean(1).sum() / num_masks


def dice_loss(inputs, targets, num_masks):
    p = inputs.sigmoid()
    num = 2 * (p * targets).sum(-1)
    den = p.sum(-1) + targets.sum(-1)
    return (1 - (num + 1) / (den + 1)).sum() / num_masks


def t(x):
    return x.detach().reshape(-1).tolist()


out = {}
# --- cost matrices
q, k, hw = 6, 3, 20
logits = torch.randn(q, hw) * 2
targets = (torch.rand(k, hw) > 0.5).double()
out["costs"] = {"q": q, "k": k, "hw": hw, "logits": t(logits), "targets": t(targets),
                "focal": t(focal_cost(logits, targets)), "dice": t(dice_cost(logits, targets))}

# --- full mask criterion with deep supervision: L layers, B images, Q queries, HxW, K_b targets each
L, B, Q, H, W = 3, 2, 7, 4, 5
pred = torch.randn(L, B, Q, H, W) * 3
ks = [2, 4]
tgts = [(torch.rand(kb, H, W) > 0.6).double() for kb in ks]
num_masks = max(float(sum(ks)), 1.0)
per_layer = []
for l in range(L):
    f_sum, d_sum, matches = 0.0, 0.0, []
    for b in range(B):
        p = pred[l, b].reshape(Q, -1)
        tg = tgts[b].reshape(ks[b], -1)
        C = W_FOCAL * focal_cost(p, tg) + W_DICE * dice_cost(p, tg)
        r, c = linear_sum_assignment(C.numpy())
        matches.append([r.tolist(), c.tolist()])
        f_sum = f_sum + focal_loss(p[r], tg[c], num_masks)
        d_sum = d_sum + dice_loss(p[r], tg[c], num_masks)
    per_layer.append({"focal": float(f_sum), "dice": float(d_sum), "matches": matches})
total = sum(W_FOCAL * x["focal"] + W_DICE * x["dice"] for x in per_layer)
out["criterion"] = {"L": L, "B": B, "Q": Q, "H": H, "W": W, "ks": ks, "pred": t(pred),
                    "targets": [t(x) for x in tgts], "num_masks": num_masks,
                    "per_layer": per_layer, "total": total}

# --- image-text contrastive (CLIP/GroupViT style)
Bc, D, Lp = 5, 8, 3
img = F.normalize(torch.randn(Bc, D), dim=-1)
txt = F.normalize(torch.randn(Bc, D), dim=-1)
prm = F.normalize(torch.randn(Bc, Lp, D), dim=-1)
cases = []
for theta in (math.log(1 / 0.07), 5.0):  # 5.0 -> exp=148 is clamped to 100
    s = min(math.exp(theta), 100.0)
    labels = torch.arange(Bc)
    itc = 0.5 * (F.cross_entropy(s * img @ txt.T, labels) + F.cross_entropy(s * txt @ img.T, labels))
    flat = prm.reshape(Bc * Lp, D)
    soft = torch.zeros(Bc, Bc * Lp)
    for b in range(Bc):
        soft[b, b * Lp:(b + 1) * Lp] = 1.0 / Lp
    i2t = torch.sum(-soft * F.log_softmax(s * img @ flat.T, dim=-1), dim=-1).mean()
    t2i = F.cross_entropy(s * flat @ img.T, torch.arange(Bc).repeat_interleave(Lp))
    ml = 0.5 * (i2t + t2i)
    cases.append({"theta": theta, "itc": float(itc), "multilabel": float(ml)})
out["contrastive"] = {"B": Bc, "D": D, "L": Lp, "img": t(img), "txt": t(txt), "prompts": t(prm), "cases": cases}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses_golden.json"), "w") as f:
    json.dump(out, f)
print("ok", total)
