// EM initialization against scikit-learn (issue 22 item 1): with its defaults and 20 restarts,
// pmix's best mean log-likelihood is never below scikit-learn's GaussianMixture(n_init = 20)
// by more than 0.01 nats, on the digits-PCA, iris and hard-blobs data sets of
// scripts/make-gmm-references.py (references computed by scikit-learn, not by pmix).
// Before: digits-PCA full K = 6 ended at -5.8472 against -5.8100.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFits } from '../helpers/programs.js';

const dir = join(__dirname, '..', 'fixtures', 'gmm');
interface Reference {
  data: string;
  covariance: string;
  k: number;
  sklearn_n_init_20: number;
  sklearn_best_other_seeds: number;
}
const refs = (JSON.parse(readFileSync(join(dir, 'references.json'), 'utf8')) as { references: Reference[] }).references;

function fit(r: Reference, em: string): number {
  const header = readFileSync(join(dir, `${r.data}.csv`), 'utf8').split('\n')[0]!.split(',');
  const text = `data d from "${r.data}.csv" { ${header.map((h) => `${h}: real`).join(', ')} }
model M = mixture(k = ${r.k}) of Normal(${r.covariance})
fit M on d by em(${em})`;
  return runFits(text, join(dir, 'm.pmix')).fitted.get('M')!.summary!.mean_log_likelihood;
}

describe('EM restarts reach scikit-learn n_init = 20 optima', () => {
  it('has references for the digits-PCA, iris and hard-blobs data sets', () => {
    expect(new Set(refs.map((r) => r.data))).toEqual(new Set(['digits-pca5', 'iris', 'hard-blobs']));
    expect(refs.length).toBeGreaterThanOrEqual(8);
  });

  for (const r of refs) {
    it(`${r.data}, ${r.covariance}, K = ${r.k}: restarts = 20 within 0.01 nats of scikit-learn`, () => {
      const ll = fit(r, 'restarts = 20, seed = 0');
      expect(ll).toBeGreaterThan(r.sklearn_n_init_20 - 0.01);
      // The harder bar: the best scikit-learn found over five random states (n_init = 20 each).
      expect(ll).toBeGreaterThan(Math.max(r.sklearn_n_init_20, r.sklearn_best_other_seeds) - 0.015);
    }, 120_000);
  }

  it('other seeds reach the digits-PCA optima too (the k-means++ draw alone used to decide)', () => {
    for (const r of refs.filter((q) => q.data === 'digits-pca5' && q.covariance === 'full')) {
      for (const seed of [1, 2]) expect(fit(r, `restarts = 20, seed = ${seed}`)).toBeGreaterThan(r.sklearn_n_init_20 - 0.01);
    }
  }, 240_000);
});
