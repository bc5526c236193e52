// A bernoulli (logit) GP at fixed kernels against scikit-learn 1.2's GaussianProcessClassifier
// (optimizer=None), from test/fixtures/gp/classifier-sklearn.json (scripts/make-gp-classifier-references.py):
// the Laplace log marginal likelihood, and predict(..., approx = "probit") against predict_proba.
// scikit-learn stops Newton once the LML rises by < 1e-10 and predicts from the previous
// iterate, so agreement is to ~1e-9 rather than rounding (pmix iterates to the gradient's precision).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';

const fx = JSON.parse(readFileSync(new URL('../fixtures/gp/classifier-sklearn.json', import.meta.url), 'utf8')) as {
  x: number[][];
  y: number[];
  test: number[][];
  cases: { kernel: string; lml: number; proba: number[] }[];
};
const rows = fx.x.map(([a, b], i) => ({ a: a!, b: b!, y: fx.y[i]! }));
const fixed = (k: string): string => k.replace(/^([\d.]+) \*/, '$1 fixed *').replace(/\)$/, ' fixed)');

describe("scikit-learn's GaussianProcessClassifier at a fixed kernel", () => {
  for (const c of fx.cases) {
    it(`${c.kernel}: log marginal likelihood and probabilities`, async () => {
      const m = compile(`model C = gp(a, b -> y) { kernel = ${fixed(c.kernel)}; likelihood = bernoulli(link = logit) }`).model('C');
      const s = await m.fit(rows, { method: 'lbfgs' });
      expect(s.stop).toBe('nothing_to_fit');
      expect(Math.abs(s.gp!.log_marginal_likelihood - c.lml)).toBeLessThan(1e-8);
      const a = m.query(`predict(a = [${fx.test.map((t) => t[0]).join(', ')}], b = [${fx.test.map((t) => t[1]).join(', ')}], approx = "probit")`);
      if (a.kind !== 'predict') throw new Error(a.kind);
      a.rows.forEach((r, i) => expect(Math.abs(r.y!.p! - c.proba[i]!)).toBeLessThan(1e-8));
      // The exact integral (quadrature, the default) differs from scikit-learn's approximation by < 1e-2.
      const q = m.query(`predict(a = [${fx.test.map((t) => t[0]).join(', ')}], b = [${fx.test.map((t) => t[1]).join(', ')}])`);
      if (q.kind !== 'predict') throw new Error(q.kind);
      q.rows.forEach((r, i) => expect(Math.abs(r.y!.p! - c.proba[i]!)).toBeLessThan(1e-2));
    });
  }
});
