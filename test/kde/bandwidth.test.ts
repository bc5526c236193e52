// Bandwidth rules equal scipy's gaussian_kde (scott_factor, silverman_factor, numpy.cov with
// aweights) and statsmodels' normal_reference, by the formulas written here and by numbers
// printed from scipy 1.10 / statsmodels 0.13 / scikit-learn 1.2 (Debian) for a fixed data set;
// cross-validation picks the grid value with the best held-out log-likelihood.
import { describe, expect, it } from 'vitest';
import { createKde, crossValidate, dataCovariance, foldsOf, KERNEL_NAMES, logDensity } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';
import { refRadial } from './reference.js';

const X = [
  [0.1, 2.0],
  [1.5, -0.3],
  [2.2, 0.7],
  [-0.4, 1.1],
  [0.9, 0.0],
  [3.1, 2.5],
  [1.0, 1.0],
  [-1.2, 0.4],
];
const W = [1, 2, 3, 1, 2, 3, 1, 2];

function npCov(rows: number[][], w: number[]): number[][] {
  // numpy.cov(aweights=w): sum w (x - m)(x - m)^T / (sum w - sum w^2 / sum w)
  const sw = w.reduce((s, v) => s + v, 0);
  const sw2 = w.reduce((s, v) => s + v * v, 0);
  const d = rows[0]!.length;
  const m = Array.from({ length: d }, (_, a) => rows.reduce((s, r, i) => s + w[i]! * r[a]!, 0) / sw);
  return m.map((_, a) => m.map((__, b) => rows.reduce((s, r, i) => s + w[i]! * (r[a]! - m[a]!) * (r[b]! - m[b]!), 0) / (sw - sw2 / sw)));
}

describe('bandwidth rules', () => {
  it("scott and silverman: H = f^2 Cov with scipy's factors (formulas)", () => {
    const rng = new Rng(4);
    for (const d of [1, 2, 3, 5]) {
      const rows = Array.from({ length: 37 }, () => Array.from({ length: d }, () => rng.normal() * 2 + 1));
      const w = rows.map(() => 0.5 + rng.uniform());
      for (const weighted of [false, true]) {
        const ww = weighted ? w : rows.map(() => 1);
        const sw = ww.reduce((s, v) => s + v, 0);
        const neff = sw ** 2 / ww.reduce((s, v) => s + v * v, 0);
        const C = npCov(rows, ww);
        const factors = { scott: neff ** (-1 / (d + 4)), silverman: ((neff * (d + 2)) / 4) ** (-1 / (d + 4)) };
        for (const rule of ['scott', 'silverman'] as const) {
          const kde = createKde({ data: rows, bandwidth: rule, weights: weighted ? w : undefined });
          for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) expect(kde.H[a * d + b]).toBeCloseTo(factors[rule] ** 2 * C[a]![b]!, 13);
        }
      }
    }
  });

  it('normal_reference: 1.06 std (ddof 0) n^(-1/(d + 4)) per column (formula)', () => {
    const rng = new Rng(5);
    const rows = Array.from({ length: 50 }, () => [rng.normal(), 3 * rng.normal(), rng.uniform()]);
    const kde = createKde({ data: rows, bandwidth: 'normal_reference' });
    for (let a = 0; a < 3; a++) {
      const m = rows.reduce((s, r) => s + r[a]!, 0) / 50;
      const sd = Math.sqrt(rows.reduce((s, r) => s + (r[a]! - m) ** 2, 0) / 50);
      expect(Math.sqrt(kde.H[a * 3 + a]!)).toBeCloseTo(1.06 * sd * 50 ** (-1 / 7), 13);
      expect(kde.H[a * 3 + ((a + 1) % 3)]).toBe(0);
    }
  });

  it("matches numbers printed by scipy, statsmodels and scikit-learn on a fixed data set", () => {
    const scott = createKde({ data: X, bandwidth: 'scott' });
    // scipy's kde.covariance is already factor^2 * data covariance (factor 0.7071067811865476)
    const cov = [0.9742857142857146, 0.17571428571428574, 0.17571428571428574, 0.45392857142857157];
    cov.forEach((v, i) => expect(scott.H[i]).toBeCloseTo(v, 14));
    // scipy gaussian_kde(X.T, 'scott').logpdf([0.5, 0.5]); weighted
    expect(logDensity(scott, Float64Array.from([0.5, 0.5]))[0]).toBeCloseTo(-2.6143578653857213, 12);
    const ws = createKde({ data: X, bandwidth: 'scott', weights: W });
    expect(logDensity(ws, Float64Array.from([0.5, 0.5]))[0]).toBeCloseTo(-2.8498224639053067, 12);
    expect(ws.H[0]).toBeCloseTo(1.2134865211572663, 13); // factor 0.7261983151300203
    // statsmodels KDEMultivariate(X, 'cc', bw='normal_reference').bw
    const nr = createKde({ data: X, bandwidth: 'normal_reference' });
    expect(Math.sqrt(nr.H[0]!)).toBeCloseTo(0.9787078215688277, 13);
    expect(Math.sqrt(nr.H[3]!)).toBeCloseTo(0.6680418212956433, 13);
    // sklearn KernelDensity(kernel, bandwidth=1.7).score_samples, 1-D and 2-D
    const sk: Record<string, [number, number]> = {
      gaussian: [-1.714672287600161, -3.284672134198556],
      tophat: [-1.6937790608678511, -2.675990017219476],
      epanechnikov: [-1.4682853322086877, -2.534874996384855],
      exponential: [-1.816501608828047, -3.690724091002268],
      linear: [-1.4729912232461002, -2.542527229864618],
      cosine: [-1.4562716406397092, -3.5416810872832265],
    };
    for (const k of KERNEL_NAMES) {
      const one = createKde({ data: X.map((r) => [r[0]!]), kernel: k, bandwidth: 1.7 });
      expect(logDensity(one, Float64Array.from([0.5]))[0], k).toBeCloseTo(sk[k]![0], 12);
      const two = createKde({ data: X, kernel: k, bandwidth: 1.7 });
      const got = logDensity(two, Float64Array.from([0.5, 0.5]))[0]!;
      // scikit-learn's cosine normalizer is wrong for D >= 2 (ours integrates to 1: see integrate.test.ts)
      if (k === 'cosine') expect(Math.abs(got - sk[k]![1])).toBeGreaterThan(0.1);
      else expect(got, k).toBeCloseTo(sk[k]![1], 12);
    }
  });

  it('dataCovariance is numpy.cov with aweights', () => {
    const C = npCov(X, W);
    const got = dataCovariance({ x: Float64Array.from(X.flat()), n: 8, d: 2, w: Float64Array.from(W, (v) => v / 15) });
    C.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 13));
  });
});

describe('cross-validated bandwidth', () => {
  const rng = new Rng(11);
  const rows = Array.from({ length: 60 }, () => [rng.normal() + (rng.uniform() < 0.5 ? 3 : 0), rng.normal()]);

  it('picks the grid value with the best held-out log-likelihood (scores recomputed independently)', () => {
    const grid = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2];
    const progress: number[] = [];
    const r = crossValidate({ data: rows }, { grid, folds: 4, seed: 3, onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...r.folds]).toEqual([...foldsOf(60, 4, 3)]);
    const indep = grid.map((h) => {
      let s = 0;
      for (let f = 0; f < 4; f++) {
        const train = rows.filter((_, i) => r.folds[i] !== f);
        rows.forEach((q, i) => {
          if (r.folds[i] === f) s += refRadial('gaussian', train, [[h * h, 0], [0, h * h]], q);
        });
      }
      return s / 60;
    });
    r.scores.forEach((s, i) => expect(s.score).toBeCloseTo(indep[i]!, 10));
    const best = grid[indep.indexOf(Math.max(...indep))]!;
    expect(r.best).toBe(best);
    expect(best).not.toBe(grid[0]);
    expect(best).not.toBe(grid[grid.length - 1]);
    expect(r.kde.H[0]).toBeCloseTo(best * best, 15);
  });

  it('golden-section search lands within the grid optimum bracket and at least as high as the best grid score', () => {
    const grid = Array.from({ length: 41 }, (_, i) => 0.05 * 1.1 ** i);
    const g = crossValidate({ data: rows }, { grid, folds: 4, seed: 3 });
    const s = crossValidate({ data: rows }, { search: { lo: 0.05, hi: 3, iterations: 25 }, folds: 4, seed: 3 });
    expect(s.bestScore).toBeGreaterThanOrEqual(g.bestScore - 1e-3);
    expect(Math.abs(Math.log(s.best / g.best))).toBeLessThan(0.1);
    expect(s.scores.length).toBe(27);
  });

  it('refuses bad options with the key', () => {
    expect(() => crossValidate({ data: rows }, { grid: [0.1, -1] })).toThrow(/key 'grid', entry 2/);
    expect(() => crossValidate({ data: rows }, { grid: [0.1], folds: 1 })).toThrow(/key 'folds'/);
    expect(() => crossValidate({ data: rows }, {})).toThrow(/'grid' or key 'search'/);
  });
});
