// With one expert a mixture of experts is a linear regression: its fit must equal ordinary
// least squares (the normal equations solved in the test) to 1e-8, per output over its observed
// rows (diag noise, missing outputs), and with full noise the residual covariance.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';
import { runFits, writeCsv } from '../helpers/programs.js';
import { ols } from './helpers.js';

const rng = new Rng(7);
const N = 60;
const X = Array.from({ length: N }, () => [rng.normal() * 2, rng.uniform() * 5]);
const y1 = X.map(([a, b]) => 1.5 * a! - 0.7 * b! + 3 + 0.4 * rng.normal());
const y2 = X.map(([a, b], i) => (i % 7 === 3 ? NaN : -a! + 0.2 * b! + 0.5 * y1[i]! * 0 + 0.9 * rng.normal()));

function fitted(noise: 'diag' | 'full'): Map<string, Float64Array> {
  const csv = writeCsv(['a', 'b', 'y1', 'y2'], X.map((x, i) => [x[0]!, x[1]!, y1[i]!, y2[i]!]));
  const s = runFits(`data d from "${csv}" { a: real, b: real, y1: real, y2: real }
model M = experts(a, b -> y1, y2) { k = 1; expert = linear(noise = ${noise}) }
fit M on d by em(reg_covar = 0, max_iter = 5)`);
  return s.stateOf('M').values;
}

const close = (got: ArrayLike<number>, want: readonly number[], tol = 1e-8): void => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(want[i]!)));
};

describe('one linear expert = ordinary least squares', () => {
  it('diag noise: each output its own OLS over its observed rows, noise = RSS / n', () => {
    const v = fitted('diag');
    const r1 = ols(X, y1);
    const r2 = ols(X, y2);
    close(v.get('expert.coef')!, [...r1.beta, ...r2.beta]);
    close(v.get('expert.noise')!, [r1.sigma2, r2.sigma2]);
  });

  it('full noise: OLS coefficients on complete rows and their residual covariance', () => {
    const v = fitted('full');
    const keep = y2.map((y, i) => (Number.isNaN(y) ? -1 : i)).filter((i) => i >= 0);
    const Xc = keep.map((i) => X[i]!);
    const r1 = ols(Xc, keep.map((i) => y1[i]!));
    const r2 = ols(Xc, keep.map((i) => y2[i]!));
    close(v.get('expert.coef')!, [...r1.beta, ...r2.beta]);
    const res = (r: typeof r1, ys: number[]): number[] => keep.map((i, j) => ys[j]! - (r.beta[0]! * X[i]![0]! + r.beta[1]! * X[i]![1]! + r.beta[2]!));
    const e1 = res(r1, keep.map((i) => y1[i]!));
    const e2 = res(r2, keep.map((i) => y2[i]!));
    const c = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0) / keep.length;
    // the diagonal carries the smallest noise floor, 1e-10 of each output's variance
    close(v.get('expert.noise')!, [c(e1, e1), c(e1, e2), c(e2, e1), c(e2, e2)], 1e-8);
  });

  it('log p(y | x) of a row is the OLS fit\'s normal density (API logProb, a missing output marginalized)', async () => {
    const m = compile('model M = experts(a -> y) { k = 1 }').model('M');
    const rows = X.map((x, i) => ({ a: x[0]!, y: y1[i]! }));
    await m.fit(rows, { method: 'em', regCovar: 0, maxIter: 3 });
    const r = ols(X.map((x) => [x[0]!]), y1);
    const lp = m.logProb([{ a: 1, y: 2 }]);
    const mu = r.beta[0]! + r.beta[1]!;
    expect(lp[0]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI * r.sigma2) - (2 - mu) ** 2 / (2 * r.sigma2), 8);
    const p = m.predict([{ a: 1 }]);
    expect(p[0]![0]!.mean).toBeCloseTo(mu, 8);
    expect(p[0]![0]!.std_y).toBeCloseTo(Math.sqrt(r.sigma2), 8);
  });
});
