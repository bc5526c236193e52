# The KDE cases' peers: scikit-learn KernelDensity(atol, rtol).score_samples (mode 'tree') or
# a chunked numpy direct sum (mode 'direct': BLAS squared distances, scipy logsumexp).
import os

import numpy as np
from scipy.special import logsumexp

from common import args, report, sample

d_, p = args()
n, m, d, h = p["n"], p["m"], p["d"], p["n"] ** (-1.0 / (p["d"] + 4))
X = np.fromfile(os.path.join(d_, "x.f64")).reshape(n, d)
Q = np.fromfile(os.path.join(d_, "q.f64")).reshape(m, d)
out = {}
extra = {}

if p["mode"] == "tree":
    import time

    from sklearn.neighbors import KernelDensity

    t = time.perf_counter()
    kd = KernelDensity(kernel="gaussian", bandwidth=h, atol=p["atol"], rtol=p["rtol"]).fit(X)
    extra["build_ms"] = (time.perf_counter() - t) * 1000

    def run():
        out["lp"] = kd.score_samples(Q)

else:
    xx = (X * X).sum(1)
    lognorm = -0.5 * d * np.log(2 * np.pi) - d * np.log(h) - np.log(n)
    chunk = 256

    def run():
        lp = np.empty(m)
        for s in range(0, m, chunk):
            q = Q[s : s + chunk]
            d2 = (q * q).sum(1)[:, None] + xx[None, :] - 2.0 * (q @ X.T)
            np.maximum(d2, 0, out=d2)
            d2 *= -0.5 / (h * h)
            lp[s : s + chunk] = logsumexp(d2, axis=1) + lognorm
        out["lp"] = lp


samples = sample(run, p["repeats"], p["warmup"])
report(samples, out["lp"].mean(), **extra)
