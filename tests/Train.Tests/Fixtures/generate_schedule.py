#!/usr/bin/python3
"""Golden learning rates for LrSchedule: batch-scaled linear warmup then cosine (docs/method.md §6).
Reference = torch.optim.lr_scheduler.LambdaLR driving a real SGD optimizer with the same formula."""
import json, math, os
import torch

base, warm, mn, ref = 5e-4, 4e-6, 4e-5, 4096
batch, warmup, total = 256, 50, 400
f = batch / ref
p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=base * f)

def factor(t):
    if t < warmup:
        return (warm * f + (base * f - warm * f) * t / warmup) / (base * f)
    tt = min(1.0, (t - warmup) / max(1, total - warmup))
    return (mn * f + 0.5 * (base * f - mn * f) * (1 + math.cos(math.pi * tt))) / (base * f)

sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
lrs = []
for t in range(total + 5):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step(); sched.step()
steps = [0, 1, 25, 49, 50, 51, 100, 225, 399, 400, 404]
out = {"base": base, "warmup_lr": warm, "min_lr": mn, "batch": batch, "reference": ref, "warmup": warmup, "total": total,
       "steps": steps, "lr": [lrs[s] for s in steps]}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedule_golden.json"), "w") as fh:
    json.dump(out, fh, indent=1)
print(out["lr"])
