#!/usr/bin/python3
"""Golden fixtures for LinearAssignment: SciPy linear_sum_assignment on random cost matrices.
Run with Debian's /usr/bin/python3 (scipy installed): writes assignment_golden.json beside this script."""
import json, os
import numpy as np
from scipy.optimize import linear_sum_assignment

rng = np.random.default_rng(1234)
cases = []
shapes = [(1, 1), (3, 3), (5, 5), (4, 7), (7, 4), (64, 8), (8, 64), (64, 1), (10, 10), (13, 6), (2, 9)]
for shape in shapes:
    for kind in ("uniform", "integer_ties", "scaled"):
        if kind == "uniform":
            c = rng.random(shape)
        elif kind == "integer_ties":
            c = rng.integers(0, 4, size=shape).astype(np.float64)
        else:
            c = rng.normal(size=shape) * 20.0 + 3.0
        for maximize in (False, True):
            r, k = linear_sum_assignment(c, maximize=maximize)
            cases.append({"rows": shape[0], "cols": shape[1], "kind": kind, "maximize": maximize,
                          "cost": c.ravel().tolist(), "row_ind": r.tolist(), "col_ind": k.tolist(),
                          "total": float(c[r, k].sum())})
# an all-equal matrix: pure tie-breaking
c = np.zeros((6, 4))
r, k = linear_sum_assignment(c)
cases.append({"rows": 6, "cols": 4, "kind": "zeros", "maximize": False, "cost": c.ravel().tolist(),
              "row_ind": r.tolist(), "col_ind": k.tolist(), "total": 0.0})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignment_golden.json"), "w") as f:
    json.dump(cases, f)
print(len(cases), "cases")
