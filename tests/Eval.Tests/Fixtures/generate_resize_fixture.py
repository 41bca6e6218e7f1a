#!/usr/bin/python3
"""Golden resize fixture: mmcv's keep-ratio rescale size, bilinear image resize (torch and cv2) and the
bilinear (align_corners=False) resize of score maps that mmseg applies after slide inference.

Run with Debian's /usr/bin/python3 (torch 1.13, numpy, opencv). Writes resize_golden.json here.
"""
import json
import os

import cv2
import numpy as np
import torch
import torch.nn.functional as F


def mmcv_rescale_size(w, h, scale=(2048, 448)):
    # mmcv.image.geometric.rescale_size with a tuple scale, then _scale_size
    max_long_edge, max_short_edge = max(scale), min(scale)
    scale_factor = min(max_long_edge / max(h, w), max_short_edge / min(h, w))
    return int(w * float(scale_factor) + 0.5), int(h * float(scale_factor) + 0.5)


def main():
    rng = np.random.RandomState(11)
    sizes = [(500, 375), (375, 500), (4000, 300), (100, 100), (640, 427), (10000, 500), (333, 449), (1, 7)]
    out = {"sizes": [{"w": w, "h": h, "tw": mmcv_rescale_size(w, h)[0], "th": mmcv_rescale_size(w, h)[1]} for w, h in sizes]}

    # image resize 37x23 -> 29x17 (down) and -> 61x50 (up), uint8 RGB
    img = rng.randint(0, 256, size=(23, 37, 3)).astype(np.uint8)
    out["image"] = {"h": 23, "w": 37, "rgb": img.ravel().tolist(), "resized": []}
    for tw, th in [(29, 17), (61, 50)]:
        t = torch.from_numpy(img.astype(np.float32)).permute(2, 0, 1)[None]
        r = F.interpolate(t, size=(th, tw), mode="bilinear", align_corners=False)[0]
        cv = cv2.resize(img, (tw, th), interpolation=cv2.INTER_LINEAR)
        out["image"]["resized"].append({
            "w": tw, "h": th,
            "torch": [round(float(v), 5) for v in r.numpy().ravel()],           # CHW float
            "cv2": cv.transpose(2, 0, 1).ravel().tolist(),                      # CHW uint8
        })

    # score maps [C, H, W] -> (H2, W2)
    scores = rng.rand(3, 7, 9).astype(np.float32)
    out["scores"] = {"c": 3, "h": 7, "w": 9, "values": [float(v) for v in scores.ravel()], "resized": []}
    for tw, th in [(5, 13), (20, 3)]:
        r = F.interpolate(torch.from_numpy(scores)[None], size=(th, tw), mode="bilinear", align_corners=False)[0]
        out["scores"]["resized"].append({"w": tw, "h": th, "values": [float(v) for v in r.numpy().ravel()]})

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resize_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path, out["sizes"])


if __name__ == "__main__":
    main()
