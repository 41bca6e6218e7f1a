#!/usr/bin/python3
"""Golden k-means for SSeg.Pseudomask.BatchedKMeans (run with Debian's /usr/bin/python3 + NumPy).

The same algorithm written per image in NumPy (float32 features, float64 cumulative sums):
  seeding  SplitMix64 from seed ^ FNV-1a-64(key) -> uniforms u[0..K)
  init     k-means++: first = floor(u0*N); center j = first index whose cumsum(min squared distance) > u_j*total
  Lloyd    assign argmin(||c||^2 - 2 x.c); stop when the assignment repeats; means of members;
           the e-th empty cluster takes the e-th farthest token (distance to its assigned center)
Writes kmeans_reference.safetensors.
"""
import os

import numpy as np
import torch

from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
MASK64 = (1 << 64) - 1


def fnv1a64(text):
    h = 14695981039346656037
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 1099511628211) & MASK64
    return h


def uniforms(seed, key, count):
    state = (seed & MASK64) ^ fnv1a64(key)
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z = z ^ (z >> 31)
        out.append((z >> 11) * (1.0 / (1 << 53)))
    return np.array(out, dtype=np.float64)


def init_plus_plus(x, u):
    n = x.shape[0]
    first = min(int(np.floor(u[0] * n)), n - 1)
    centers = [x[first]]
    min_dist = ((x - x[first]) ** 2).sum(1, dtype=np.float32)
    for j in range(1, len(u)):
        cdf = np.cumsum(min_dist.astype(np.float64))
        idx = min(int((cdf <= u[j] * cdf[-1]).sum()), n - 1)
        centers.append(x[idx])
        min_dist = np.minimum(min_dist, ((x - x[idx]) ** 2).sum(1, dtype=np.float32))
    return np.stack(centers).astype(np.float32)


def lloyd(x, centers, max_iter):
    k = centers.shape[0]
    c = centers.copy()
    labels, iters = None, 0
    for it in range(max_iter):
        dist = (c ** 2).sum(1)[None, :] - 2.0 * (x @ c.T)
        a = dist.argmin(1)
        if labels is not None and (a == labels).all():
            break
        labels, iters = a, it + 1
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(c)
        np.add.at(sums, labels, x)
        means = sums / np.maximum(counts, 1)[:, None].astype(np.float32)
        own = dist[np.arange(len(x)), labels] + (x ** 2).sum(1)
        far = np.argsort(-own, kind="stable")[: min(k, len(x))]
        empty = np.flatnonzero(counts == 0)
        for e, cluster in enumerate(empty):
            means[cluster] = x[far[min(e, len(far) - 1)]]
        c = means.astype(np.float32)
    return labels, c, iters


def blobs(rng, n, d, k_true):
    """Clustered unit vectors: k_true random directions plus noise, L2-normalised."""
    dirs = rng.standard_normal((k_true, d)).astype(np.float32)
    which = rng.integers(0, k_true, n)
    x = dirs[which] + 1.1 * rng.standard_normal((n, d)).astype(np.float32)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def main():
    rng = np.random.default_rng(7)
    b, n, d, k, max_iter = 3, 96, 16, 8, 30
    keys = ["cc3m/00000/00001", "cc3m/00000/00002", "redcaps/00003/00999"]
    seed = 42
    x = np.stack([blobs(rng, n, d, kt) for kt in (5, 8, 12)])
    u = np.stack([uniforms(seed, key, k) for key in keys])
    init = np.stack([init_plus_plus(x[i], u[i]) for i in range(b)])
    labels, centers, iters = zip(*[lloyd(x[i], init[i], max_iter) for i in range(b)])

    # Forced empty cluster: two identical initial centers -> the second never wins -> re-seeded.
    forced = init.copy()
    forced[:, 7] = forced[:, 6]
    f_labels, f_centers, f_iters = zip(*[lloyd(x[i], forced[i], max_iter) for i in range(b)])
    # Iteration cap: stop after 2 assignment steps.
    c_labels, c_centers, c_iters = zip(*[lloyd(x[i], init[i], 2) for i in range(b)])

    t = lambda a, dt=torch.float32: torch.from_numpy(np.ascontiguousarray(np.array(a))).to(dt)
    save_safetensors({
        "x": t(x), "uniforms": t(u, torch.float64), "init": t(init),
        "labels": t(labels, torch.int64), "centers": t(centers), "iterations": t(iters, torch.int64),
        "forced.init": t(forced), "forced.labels": t(f_labels, torch.int64), "forced.centers": t(f_centers),
        "forced.iterations": t(f_iters, torch.int64),
        "cap2.labels": t(c_labels, torch.int64), "cap2.centers": t(c_centers), "cap2.iterations": t(c_iters, torch.int64),
    }, os.path.join(HERE, "kmeans_reference.safetensors"), {"seed": seed, "keys": "|".join(keys)})
    print("iterations", iters, "forced", f_iters, "cap", c_iters)


if __name__ == "__main__":
    main()
