#!/usr/bin/python3
"""Golden mIoU fixture: the mmsegmentation formula (core/evaluation/metrics.py) in NumPy on random label maps.

Run with Debian's /usr/bin/python3 (numpy). Writes miou_golden.json next to this script.
Per image: drop GT == ignore_index; histogram of pred[pred == gt], pred, gt over [0, num_classes); accumulate over
the dataset; union = pred + gt - intersect; IoU = intersect / union (NaN when 0); mIoU = nanmean; aAcc = sum(I)/sum(gt).
"""
import json
import os

import numpy as np


def intersect_and_union(pred, label, num_classes, ignore_index):
    mask = label != ignore_index
    pred = pred[mask]
    label = label[mask]
    intersect = pred[pred == label]
    # torch.histc(x, bins=n, min=0, max=n-1) == histogram over integer bins, values outside dropped
    bins = np.arange(num_classes + 1) - 0.5
    area_intersect = np.histogram(intersect, bins=bins)[0].astype(np.float64)
    area_pred = np.histogram(pred, bins=bins)[0].astype(np.float64)
    area_label = np.histogram(label, bins=bins)[0].astype(np.float64)
    return area_intersect, area_pred + area_label - area_intersect, area_pred, area_label


def main():
    rng = np.random.RandomState(20240611)
    num_classes, ignore = 8, 255
    images = []
    total = [np.zeros(num_classes) for _ in range(4)]
    for i in range(6):
        h, w = rng.randint(5, 31), rng.randint(5, 31)
        gt = rng.randint(0, 6, size=(h, w))  # classes 6, 7 never in GT
        gt[rng.rand(h, w) < 0.1] = ignore
        pred = np.where(rng.rand(h, w) < 0.6, np.where(gt == ignore, 0, gt), rng.randint(0, 7, size=(h, w)))  # class 6 predicted only, 7 nowhere
        if i == 0:
            pred[0, 0] = 5  # keep things varied
        images.append({"height": int(h), "width": int(w), "gt": gt.ravel().tolist(), "pred": pred.ravel().tolist()})
        for t, a in zip(total, intersect_and_union(pred, gt, num_classes, ignore)):
            t += a
    inter, union, pred_area, gt_area = total
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / union
        acc = inter / gt_area
    out = {
        "num_classes": num_classes,
        "ignore_index": ignore,
        "images": images,
        "intersect": inter.tolist(),
        "union": union.tolist(),
        "pred": pred_area.tolist(),
        "gt": gt_area.tolist(),
        "iou": [None if np.isnan(v) else float(v) for v in iou],
        "acc": [None if np.isnan(v) else float(v) for v in acc],
        "miou": float(np.nanmean(iou)),
        "macc": float(np.nanmean(acc)),
        "aacc": float(inter.sum() / gt_area.sum()),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "miou_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: mIoU {out['miou']:.6f}")


if __name__ == "__main__":
    main()
