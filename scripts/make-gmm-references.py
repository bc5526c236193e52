#!/usr/bin/python3
# Writes the data sets and scikit-learn references of test/runtime/em-init-references.test.ts
# (issue 22 item 1: pmix's best of 20 EM restarts against scikit-learn's n_init = 20).
#
# Data sets (test/fixtures/gmm/*.csv, values rounded to 6 decimals; sklearn fits the rounded values):
# - digits-pca5: sklearn.datasets.load_digits (1797 x 64), PCA to 5 components (full SVD), each
#   component standardized (population sd). Has several local optima for spherical and full GMMs.
# - iris: sklearn.datasets.load_iris, the 4 raw measurements (150 rows).
# - hard-blobs: 3-D, 8 Gaussian clusters of very unequal sizes (4 tiny ones next to big ones)
#   and spreads, seeded by numpy.random.RandomState(22): a few-step k-means split misses the
#   tiny clusters, which is a local optimum EM cannot leave.
# References (test/fixtures/gmm/references.json): for each (data set, covariance type, K) the
# mean log-likelihood per row of GaussianMixture(K, covariance_type, n_init = 20,
# random_state = 0) with every other setting at its default (max_iter 100, tol 1e-3,
# reg_covar 1e-6, init_params 'kmeans'), and the best of n_init = 20 over random states 1..4
# (a check that the reference is not itself a poor optimum).
#
# Run from the repository root: OPENBLAS_CORETYPE=... /usr/bin/python3 scripts/make-gmm-references.py
import json
import os

import numpy as np
from sklearn.datasets import load_digits, load_iris
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "gmm")


def write(name, header, x):
    path = os.path.join(OUT, name + ".csv")
    x = np.round(x, 6)
    tmp = path + ".tmp"
    with open(tmp, "w", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in x:
            f.write(",".join(repr(float(v)) for v in r) + "\n")
    os.replace(tmp, path)
    return np.loadtxt(path, delimiter=",", skiprows=1)


def hard_blobs():
    rs = np.random.RandomState(22)
    centres = np.array([[0, 0, 0], [4, 0, 0], [0, 4, 0], [0, 0, 4], [1.2, 1.2, 0], [4.5, 1.5, 1], [0, 4, 1.8], [2, 2, 2]], float)
    sizes = [300, 250, 200, 150, 12, 10, 10, 8]
    sds = [1.0, 0.8, 0.7, 1.2, 0.12, 0.1, 0.15, 0.1]
    rows = [c + s * rs.standard_normal((m, 3)) for c, m, s in zip(centres, sizes, sds)]
    x = np.concatenate(rows)
    return x[rs.permutation(len(x))]


def main():
    os.makedirs(OUT, exist_ok=True)
    sets = {
        "digits-pca5": write("digits-pca5", [f"pc{j + 1}" for j in range(5)], (lambda z: (z - z.mean(0)) / z.std(0))(PCA(5, svd_solver="full").fit_transform(load_digits().data))),
        "iris": write("iris", ["sepal_length", "sepal_width", "petal_length", "petal_width"], load_iris().data),
        "hard-blobs": write("hard-blobs", ["x", "y", "z"], hard_blobs()),
    }
    configs = [
        ("digits-pca5", "spherical", 4), ("digits-pca5", "full", 6), ("digits-pca5", "diag", 5),
        ("iris", "full", 3), ("iris", "diag", 3), ("iris", "spherical", 4),
        ("hard-blobs", "full", 8), ("hard-blobs", "spherical", 8),
    ]
    refs = []
    for name, ct, k in configs:
        x = sets[name]
        ref = GaussianMixture(k, covariance_type=ct, n_init=20, random_state=0).fit(x).score(x)
        other = max(GaussianMixture(k, covariance_type=ct, n_init=20, random_state=s).fit(x).score(x) for s in range(1, 5))
        refs.append({"data": name, "covariance": ct, "k": k, "sklearn_n_init_20": round(ref, 8), "sklearn_best_other_seeds": round(other, 8)})
        print(refs[-1], flush=True)
    with open(os.path.join(OUT, "references.json"), "w") as f:
        json.dump({"generator": "scripts/make-gmm-references.py", "references": refs}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
