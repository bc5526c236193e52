# numpy float32 log-sum-exp sum layer: out = log(exp(A - m) @ W) + m per fold (np.matmul batched).
import os

import numpy as np

from common import args, report, sample

d, p = args()
F, B, K, J = p["F"], p["B"], p["K"], p["J"]
A = np.fromfile(os.path.join(d, "A.f32"), dtype=np.float32).reshape(F, B, K)
W = np.fromfile(os.path.join(d, "W.f32"), dtype=np.float32).reshape(F, K, J)
out = None


def run():
    global out
    m = A.max(-1, keepdims=True)
    out = np.log(np.matmul(np.exp(A - m), W)) + m


samples = sample(run, p["repeats"], p["warmup"])
report(samples, out.astype(np.float64).mean())
