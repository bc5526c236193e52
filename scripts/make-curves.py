# Simulated curves for the multitask GP example (examples/curves.pmix): 3 clusters of curves
# on t in [0, 10] (a sine, a line, a parabola), each task its cluster's curve plus its own
# RBF-GP deviation (variance 0.25, lengthscale 2) and noise (variance 0.01), on a grid of 16
# points. Training: 36 tasks (ids 1..36, cluster (id - 1) % 3), each seeing about 3 in 4 grid
# points. New tasks: 12 (ids 101..112, 4 per cluster) with y given at 3 grid points (t = 4/3,
# 16/3, 26/3) and left empty at the other 13, and their true curves (no noise) in
# curves-new-truth.csv. Run from the repository root: /usr/bin/python3 scripts/make-curves.py
import numpy as np

GRID = np.arange(16) * 10.0 / 15.0
MEANS = [lambda t: 3 * np.sin(t / 1.5), lambda t: 0.6 * t - 3, lambda t: 2 - 0.16 * (t - 5) ** 2]
K = 0.25 * np.exp(-((GRID[:, None] - GRID[None, :]) ** 2) / (2 * 2.0 ** 2))
L = np.linalg.cholesky(K + 1e-10 * np.eye(16))
NOISE = 0.01

def task(c, rng):
    latent = MEANS[c](GRID) + L @ rng.normal(size=16)
    return latent, latent + np.sqrt(NOISE) * rng.normal(size=16)

rng = np.random.default_rng(7)
with open("examples/data/curves-train.csv", "w") as fh:
    fh.write("id,t,y\n")
    for i in range(1, 37):
        _, y = task((i - 1) % 3, rng)
        keep = rng.uniform(size=16) < 0.75
        for j in np.flatnonzero(keep):
            fh.write(f"{i},{GRID[j]:.6f},{y[j]:.6f}\n")
GIVEN = [2, 8, 13]
with open("examples/data/curves-new.csv", "w") as fh, open("examples/data/curves-new-truth.csv", "w") as th:
    fh.write("id,t,y\n")
    th.write("id,t,latent\n")
    for n in range(12):
        latent, y = task(n % 3, rng)
        for j in range(16):
            fh.write(f"{101 + n},{GRID[j]:.6f},{y[j]:.6f}\n" if j in GIVEN else f"{101 + n},{GRID[j]:.6f},\n")
            th.write(f"{101 + n},{GRID[j]:.6f},{latent[j]:.6f}\n")
