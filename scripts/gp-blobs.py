#!/usr/bin/python3
# Three Gaussian blobs in 2-D for the multiclass GP classifier (test/gp/multiclass-sklearn.test.ts,
# docs/gp.md): writes DIR/train.csv (50 rows per class) and DIR/test.csv (200 per class), columns
# a, b, label (levels "r", "g", "b": centres (0, 0), (2, 0), (1, 1.7), sd 0.8, numpy seed 5), fits
# scikit-learn's GaussianProcessClassifier(1.0 * RBF(1.0), n_restarts_optimizer = 2,
# random_state = 0) (multi_class = one_vs_rest: one binary Laplace GP per class, its own kernel)
# on the training rows and writes DIR/sklearn.json: held-out accuracy and log loss, kernels, time.
#
# Usage: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/gp-blobs.py DIR
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel
from sklearn.metrics import accuracy_score, log_loss

out = sys.argv[1]
rng = np.random.RandomState(5)
centres = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.7]])
levels = ["r", "g", "b"]


def blobs(per):
    X = np.vstack([c + 0.8 * rng.randn(per, 2) for c in centres])
    y = np.repeat(np.arange(3), per)
    order = rng.permutation(len(y))
    return X[order], y[order]


Xtr, ytr = blobs(50)
Xte, yte = blobs(200)
for name, X, y in [("train", Xtr, ytr), ("test", Xte, yte)]:
    with open(f"{out}/{name}.csv", "w") as f:
        f.write("a,b,label\n")
        for (a, b), l in zip(X, y):
            f.write(f"{a!r},{b!r},{levels[l]}\n")
t0 = time.time()
clf = GaussianProcessClassifier(ConstantKernel(1.0) * RBF(1.0), n_restarts_optimizer=2, random_state=0).fit(Xtr, ytr)
seconds = time.time() - t0
p = clf.predict_proba(Xte)
with open(f"{out}/sklearn.json", "w") as f:
    json.dump({
        "sklearn": sklearn.__version__,
        "accuracy": accuracy_score(yte, p.argmax(axis=1)),
        "log_loss": log_loss(yte, p),
        "kernels": [str(e.kernel_) for e in clf.base_estimator_.estimators_],
        "seconds": seconds,
    }, f, indent=1)
    f.write("\n")
