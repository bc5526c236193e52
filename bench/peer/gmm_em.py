# scikit-learn GaussianMixture EM per iteration from pmix's init (weights, means, precisions):
# per repeat, (time of a fit of 1 + R iterations - time of a fit of 1 iteration) / R, tol=0.
import json
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from common import args, report

d_, p = args()
n, d, k, R = p["n"], p["d"], p["k"], p["iters"]
X = np.fromfile(os.path.join(d_, "x.f64")).reshape(n, d)
init = json.load(open(os.path.join(d_, "init.json")))
weights = np.array(init["weights"])
means = np.array(init["means"]).reshape(k, d)
if p["variant"] == "diag":
    precisions = 1.0 / np.array(init["covs"]).reshape(k, d)
else:
    precisions = np.linalg.inv(np.array(init["covs"]).reshape(k, d, d))
warnings.simplefilter("ignore", ConvergenceWarning)


def fit(iters):
    gm = GaussianMixture(k, covariance_type=p["variant"], tol=0, max_iter=iters, reg_covar=p["reg_covar"],
                         weights_init=weights, means_init=means, precisions_init=precisions,
                         init_params="random_from_data", random_state=0)
    t = time.perf_counter()
    gm.fit(X)
    return (time.perf_counter() - t) * 1000, gm


fit(1)
samples = []
for _ in range(p["repeats"]):
    t1, _ = fit(1)
    tr, gm = fit(1 + R)
    samples.append((tr - t1) / R)
report(samples, gm.lower_bound_, n_iter=int(gm.n_iter_))
