// Gradient learning: the flow-based gradient equals finite differences of the log-likelihood,
// and Adam raises the likelihood of a mixture from its initialization.
import { describe, expect, it } from 'vitest';
import { gradients } from '../../runtime/learners/adam.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { modelState, runFits, sampleGmm, writeCsv } from '../helpers/programs.js';

describe('gradients of the log-likelihood', () => {
  it('match central finite differences for weights, means, covariances and rates', () => {
    const s = modelState(
      `model M(x, y, c) = mixture(weights = [0.4, 0.6]) {
        product { (x, y): Normal(mean = [0, 1], cov = [[1, 0.3], [0.3, 2]]), c: Poisson(rate = 2) },
        product { (x, y): Normal(mean = [2, 0], cov = [[0.5, 0], [0, 1]]), c: Poisson(rate = 5) } }`,
      'M',
    );
    const x = Float64Array.from([0.1, 0.5, 1, 1.8, -0.3, 4, 2.5, 0.2, 6]);
    const w = Float64Array.from([1, 2, 0.5]);
    const total = (): number => logDensityRows(s, x, 3).reduce((a, v, i) => a + w[i]! * v, 0);
    const g = gradients(s, x, 3, w);
    const h = 1e-6;
    const fdAt = (vals: Float64Array, idx: number[]): number => {
      const old = idx.map((i) => vals[i]!);
      idx.forEach((i, k) => (vals[i] = old[k]! + h));
      const up = total();
      idx.forEach((i, k) => (vals[i] = old[k]! - h));
      const down = total();
      idx.forEach((i, k) => (vals[i] = old[k]!));
      return (up - down) / (2 * h);
    };
    let checked = 0;
    for (const [name, vals] of s.values) {
      const gv = g.get(name)!;
      if (name.endsWith('.cov')) {
        // A symmetric perturbation of (a, b) and (b, a) moves the density by g[a,b] + g[b,a].
        for (let k = 0; k < vals.length / 4; k++) {
          for (const [a, b] of [[0, 0], [1, 1], [0, 1]] as const) {
            const i = 4 * k + 2 * a + b;
            const j = 4 * k + 2 * b + a;
            const expected = a === b ? gv[i]! : gv[i]! + gv[j]!;
            expect(expected).toBeCloseTo(fdAt(vals, a === b ? [i] : [i, j]), 4);
            checked++;
          }
        }
        continue;
      }
      for (let i = 0; i < vals.length; i++) {
        expect(gv[i]).toBeCloseTo(fdAt(vals, [i]), 4);
        checked++;
      }
    }
    expect(checked).toBe(2 + 4 + 6 + 2);
  });
});

describe('fitting by adam', () => {
  it('reaches a likelihood close to EM on a GMM', () => {
    const rows = sampleGmm(600, [0.5, 0.5], [[0, 0], [4, 3]], [[[1, 0.3], [0.3, 1]], [[0.6, 0], [0, 0.8]]], 2);
    const path = writeCsv(['a', 'b'], rows);
    const s = runFits(`data d from "${path}" { a: real, b: real }
model A = mixture(k = 2) of Normal(full)
model E = mixture(k = 2) of Normal(full)
fit A on d by adam(lr = 0.05, epochs = 60, batch = 100, seed = 1)
fit E on d by em(seed = 1, tol = 1e-8, max_iter = 300)`);
    const a = s.fitted.get('A')!.result!;
    const e = s.fitted.get('E')!.result!;
    expect(a.trace[a.trace.length - 1]!).toBeGreaterThan(a.trace[0]! - 1e-9);
    expect(a.meanLogLikelihood).toBeGreaterThan(e.meanLogLikelihood - 0.01);
  });
});
