"""Reference for one Gamma leaf expert (test/moe/leaf.test.ts): a Gamma GLM with a log link
fitted by statsmodels' IRLS (its mean coefficients are the MLE whatever the shape), and the
shape's MLE given them (Newton on the profile log-likelihood, scipy's digamma/polygamma).
Writes test/fixtures/moe/gamma-glm.json."""
import json
import numpy as np
import statsmodels.api as sm
from scipy.special import digamma, polygamma

rng = np.random.default_rng(7)
n = 240
x = rng.uniform(-1, 2, n)
z = rng.normal(0, 1, n)
mu = np.exp(0.5 + 0.8 * x - 0.3 * z)
shape = 3.0
y = rng.gamma(shape, mu / shape)
X = np.column_stack([x, z, np.ones(n)])
fit = sm.GLM(y, X, family=sm.families.Gamma(link=sm.families.links.Log())).fit(tol=1e-14, maxiter=200)
beta = fit.params
m = X @ beta
mu_hat = np.exp(m)
# profile MLE of the shape a given mu: d/da = n (log a + 1 - digamma(a)) + sum(log(y / mu) - y / mu) = 0
c = np.sum(np.log(y / mu_hat) - y / mu_hat)
a = 1.0
for _ in range(100):
    g = n * (np.log(a) + 1 - digamma(a)) + c
    h = n * (1 / a - polygamma(1, a))
    a = a - g / h
loglik = float(np.sum(a * np.log(a / mu_hat) - np.vectorize(lambda v: __import__('math').lgamma(v))(a) + (a - 1) * np.log(y) - a * y / mu_hat))
json.dump({"x": x.tolist(), "z": z.tolist(), "y": y.tolist(), "beta": beta.tolist(), "shape": a, "loglik": loglik}, open("test/fixtures/moe/gamma-glm.json", "w"), indent=0)
print(beta, a, loglik)
