// Acceptance: EM with restarts recovers a known 4-component full-covariance GMM from 3,000
// points, within sampling error, and reaches a mean log-likelihood at least that of the truth.
import { describe, expect, it } from 'vitest';
import { logNormal2, runFits, sampleGmm, writeCsv } from '../helpers/programs.js';

const weights = [0.4, 0.3, 0.2, 0.1];
const means = [
  [0, 0],
  [5, 5],
  [-5, 4],
  [4, -4],
];
const covs = [
  [
    [1.0, 0.5],
    [0.5, 1.5],
  ],
  [
    [2.0, -0.8],
    [-0.8, 1.0],
  ],
  [
    [0.5, 0.0],
    [0.0, 0.5],
  ],
  [
    [1.0, 0.7],
    [0.7, 1.0],
  ],
];

describe('EM on a known 4-component GMM', () => {
  const rows = sampleGmm(3000, weights, means, covs, 42);
  const path = writeCsv(['x', 'y'], rows);
  const text = `data d from "${path}" { x: real, y: real }
model G = mixture(k = 4) of Normal(full)
fit G on d by em(max_iter = 500, tol = 1e-8, restarts = 5, seed = 3, reg_covar = 0)`;
  const session = runFits(text);
  const fitted = session.fitted.get('G')!;
  const state = fitted.state;
  const w = Array.from(state.values.get('n1.weights')!);
  const mu = Array.from(state.values.get('n0.mean')!);
  const cov = Array.from(state.values.get('n0.cov')!);
  // Match fitted components to true ones by nearest mean.
  const match = means.map((m) => {
    let best = 0;
    let bd = Infinity;
    for (let k = 0; k < 4; k++) {
      const d = (mu[2 * k]! - m[0]!) ** 2 + (mu[2 * k + 1]! - m[1]!) ** 2;
      if (d < bd) {
        bd = d;
        best = k;
      }
    }
    return best;
  });

  it('finds four distinct components', () => {
    expect(new Set(match).size).toBe(4);
    expect(fitted.summary!.converged).toBe(true);
  });

  it('recovers weights, means and covariances within sampling error', () => {
    means.forEach((m, t) => {
      const k = match[t]!;
      const nk = 3000 * weights[t]!;
      // ~4 standard errors: weights sqrt(w(1-w)/n), means sqrt(var/n_k), covariances sqrt(2/n_k) * var
      expect(Math.abs(w[k]! - weights[t]!)).toBeLessThan(4 * Math.sqrt((weights[t]! * (1 - weights[t]!)) / 3000));
      for (let j = 0; j < 2; j++) expect(Math.abs(mu[2 * k + j]! - m[j]!)).toBeLessThan(4 * Math.sqrt(covs[t]![j]![j]! / nk));
      for (let a = 0; a < 2; a++) {
        for (let b = 0; b < 2; b++) {
          const scale = Math.sqrt(covs[t]![a]![a]! * covs[t]![b]![b]!);
          expect(Math.abs(cov[4 * k + 2 * a + b]! - covs[t]![a]![b]!)).toBeLessThan(5 * Math.sqrt(2 / nk) * scale);
        }
      }
    });
  });

  it('reaches at least the mean log-likelihood of the true parameters', () => {
    let truth = 0;
    for (const r of rows) {
      const l = weights.map((wt, k) => Math.log(wt) + logNormal2(r, means[k]!, covs[k]!));
      const m = Math.max(...l);
      truth += m + Math.log(l.reduce((s, v) => s + Math.exp(v - m), 0));
    }
    truth /= rows.length;
    expect(fitted.summary!.mean_log_likelihood).toBeGreaterThanOrEqual(truth);
    // ... and not absurdly more (that would mean overfitting or a bug in the density)
    expect(fitted.summary!.mean_log_likelihood - truth).toBeLessThan(0.02);
  });

  it('reports BIC and AIC from the free parameter count', () => {
    const s = fitted.summary!;
    expect(s.parameters).toBe(4 * (2 + 3) + 3);
    const ll = s.mean_log_likelihood * 3000;
    expect(s.bic).toBeCloseTo(-2 * ll + s.parameters * Math.log(3000), 6);
    expect(s.aic).toBeCloseTo(-2 * ll + 2 * s.parameters, 6);
  });
});
