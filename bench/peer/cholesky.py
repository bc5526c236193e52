# numpy Cholesky + triangular solves (scipy.linalg.solve_triangular when scipy exists, else
# np.linalg.solve on the factor) for A X = B, plus log det A.
import os

import numpy as np

from common import args, report, sample

try:
    from scipy.linalg import solve_triangular
except ImportError:
    solve_triangular = None

d, p = args()
n, k = p["n"], p["k"]
A = np.fromfile(os.path.join(d, "a.f64")).reshape(n, n)
B = np.fromfile(os.path.join(d, "b.f64")).reshape(n, k)
res = {}


def run():
    L = np.linalg.cholesky(A)
    res["logdet"] = 2 * np.log(np.diag(L)).sum()
    if solve_triangular is not None:
        Y = solve_triangular(L, B, lower=True)
        res["x"] = solve_triangular(L.T, Y, lower=False)
    else:
        res["x"] = np.linalg.solve(L.T, np.linalg.solve(L, B))


samples = sample(run, p["repeats"])
report(samples, res["logdet"], solver="scipy.solve_triangular" if solve_triangular else "numpy.linalg.solve")
