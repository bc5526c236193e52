#!/usr/bin/python3
# Writes test/fixtures/gp/classifier-sklearn.json: scikit-learn's GaussianProcessClassifier
# (binary, Laplace, logit link) at fixed kernels (optimizer=None), for
# test/gp/classifier-sklearn.test.ts. Data: 2-D inputs from numpy.random.RandomState(20), 40
# training points, labels drawn with p = sigmoid(3 sin(x0) + x1); 7 test points on a grid.
# Kernels: 2.0 * RBF([0.8, 1.3]) and 0.5 * Matern(1.1, nu = 2.5). Each case records
# log_marginal_likelihood(theta) at the kernel and predict_proba (scikit-learn's erf-mixture
# approximation of the logistic integral), with values rounded only by JSON's repr.
#
# Run from the repository root: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/make-gp-classifier-references.py
import json
import os

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "gp", "classifier-sklearn.json")

rs = np.random.RandomState(20)
X = rs.uniform(-2, 2, size=(40, 2))
p = 1 / (1 + np.exp(-(3 * np.sin(X[:, 0]) + X[:, 1])))
y = (rs.uniform(size=40) < p).astype(int)
T = np.array([[-1.5, -1.0], [-0.5, 0.3], [0.0, 0.0], [0.4, -1.2], [1.1, 0.9], [1.8, 1.7], [3.5, -3.0]])

cases = []
for name, kernel in [
    ("2 * rbf(ls = [0.8, 1.3])", ConstantKernel(2.0, "fixed") * RBF([0.8, 1.3], "fixed")),
    ("0.5 * matern52(ls = 1.1)", ConstantKernel(0.5, "fixed") * Matern(1.1, "fixed", nu=2.5)),
]:
    clf = GaussianProcessClassifier(kernel=kernel, optimizer=None).fit(X, y)
    cases.append({
        "kernel": name,
        "lml": float(clf.log_marginal_likelihood_value_),
        "proba": [float(v) for v in clf.predict_proba(T)[:, 1]],
    })

with open(OUT, "w") as f:
    json.dump({"sklearn": sklearn.__version__, "x": X.tolist(), "y": y.tolist(), "test": T.tolist(), "cases": cases}, f, indent=1)
    f.write("\n")
print("wrote", OUT)
