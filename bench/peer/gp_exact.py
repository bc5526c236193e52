# scikit-learn GaussianProcessRegressor: one log marginal likelihood with its gradient at
# fixed hyperparameters (what each L-BFGS step of fit() evaluates), same kernel and data.
import os

import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

from common import args, report, sample

d, p = args()
n, dim = p["n"], p["d"]
X = np.fromfile(os.path.join(d, "x.f64")).reshape(n, dim)
y = np.fromfile(os.path.join(d, "y.f64"))
kernel = ConstantKernel(1.0) * RBF([1.0, 2.0][:dim]) + WhiteKernel(0.1)
gpr = GaussianProcessRegressor(kernel, alpha=1e-10, optimizer=None, normalize_y=False).fit(X, y)
theta = gpr.kernel_.theta
res = {}


def run():
    res["lml"], res["grad"] = gpr.log_marginal_likelihood(theta, eval_gradient=True)


samples = sample(run, p["repeats"], warmup=p.get("warmup", 1))
report(samples, res["lml"])
