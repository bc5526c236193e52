# Simulated "crash test" data for the mixtures-of-experts example (examples/crash.pmix): a
# head acceleration that is flat and quiet before the impact, then a damped swing whose noise
# is large during the impact and smaller after it (regimes and input-dependent noise, in the
# spirit of the motorcycle data `mcycle`, which is not on this machine). Run from the
# repository root: /usr/bin/python3 scripts/make-crash.py
import numpy as np

def draw(n, rng):
    t = np.sort(rng.uniform(2.0, 58.0, n))
    f = np.where(t < 14, 0.0, -100.0 * np.sin(np.pi * (t - 14) / 12.0) * np.exp(-(t - 14) / 14.0))
    sd = np.where(t < 14, 2.0, np.where(t < 32, 25.0, 8.0))
    return t, f + sd * rng.normal(size=n)

for name, n, seed in [("crash-train.csv", 133, 1), ("crash-test.csv", 500, 2)]:
    t, y = draw(n, np.random.default_rng(seed))
    with open(f"examples/data/{name}", "w") as fh:
        fh.write("time,accel\n")
        for a, b in zip(t, y):
            fh.write(f"{a:.3f},{b:.3f}\n")
