# sklearn GaussianMixture.score_samples with pmix's parameters set directly (no fit).
import json
import os

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

from common import args, report, sample

d_, p = args()
n, d, k, variant = p["n"], p["d"], p["k"], p["variant"]
X = np.fromfile(os.path.join(d_, "x.f64")).reshape(n, d)
init = json.load(open(os.path.join(d_, "init.json")))
gm = GaussianMixture(k, covariance_type=variant)
gm.weights_ = np.array(init["weights"])
gm.means_ = np.array(init["means"]).reshape(k, d)
gm.covariances_ = np.array(init["covs"]).reshape((k, d) if variant == "diag" else (k, d, d))
gm.precisions_cholesky_ = _compute_precision_cholesky(gm.covariances_, variant)
gm.n_features_in_ = d
out = {}


def run():
    out["lp"] = gm.score_samples(X)


samples = sample(run, p["repeats"], p["warmup"])
report(samples, out["lp"].mean())
