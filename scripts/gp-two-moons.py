#!/usr/bin/python3
# Two moons for the GP classifier comparison (bench/gp-two-moons.mjs, docs/gp.md): writes
# DIR/train.csv (sklearn.datasets.make_moons(200, noise = 0.3, random_state = 1)) and
# DIR/test.csv (make_moons(1000, noise = 0.3, random_state = 2)), columns a, b, label; fits
# scikit-learn's GaussianProcessClassifier(1.0 * RBF(1.0), n_restarts_optimizer = 2,
# random_state = 0) on the training rows and prints JSON: held-out accuracy and log loss,
# the fitted kernel, its log marginal likelihood and the fit's seconds.
#
# Usage: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/gp-two-moons.py DIR
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.datasets import make_moons
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel
from sklearn.metrics import accuracy_score, log_loss

out = sys.argv[1]
Xtr, ytr = make_moons(200, noise=0.3, random_state=1)
Xte, yte = make_moons(1000, noise=0.3, random_state=2)
for name, X, y in [("train", Xtr, ytr), ("test", Xte, yte)]:
    with open(f"{out}/{name}.csv", "w") as f:
        f.write("a,b,label\n")
        for (a, b), l in zip(X, y):
            f.write(f"{a!r},{b!r},{int(l)}\n")
t0 = time.time()
clf = GaussianProcessClassifier(ConstantKernel(1.0) * RBF(1.0), n_restarts_optimizer=2, random_state=0).fit(Xtr, ytr)
seconds = time.time() - t0
p = clf.predict_proba(Xte)[:, 1]
print(json.dumps({
    "sklearn": sklearn.__version__,
    "accuracy": accuracy_score(yte, (p > 0.5).astype(int)),
    "log_loss": log_loss(yte, p),
    "kernel": str(clf.kernel_),
    "lml": float(clf.log_marginal_likelihood_value_),
    "seconds": seconds,
}))
