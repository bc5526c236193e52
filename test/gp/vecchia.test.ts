// The Vecchia approximation (runtime/gp/vecchia): with every previous point as neighbours
// (m = n - 1) it is the exact GP's chain-rule factorization, so its log-likelihood, gradient
// and predictions (m >= n) equal the exact GP's; its gradient equals finite differences at
// any m; neighbour sets equal brute force.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { withTrainingData } from '../../runtime/gp/fit.js';
import { predict } from '../../runtime/gp/predict.js';
import { vecchiaLml } from '../../runtime/gp/vecchia/likelihood.js';
import { columnScales, scaled, vecchiaSetup } from '../../runtime/gp/vecchia/ordering.js';
import { vecchiaPredictScaled } from '../../runtime/gp/vecchia/predict.js';
import { checkVecchiaTime, VECCHIA_PAIR_RATE, vecchiaFitBytes, vecchiaTimeEstimate } from '../../runtime/gp/vecchia/cost.js';
import { base, gpState, lcg } from './helpers.js';

const RBF: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
const M52_PLUS_WHITE: KernelExpr = { op: 'sum', terms: [{ op: 'scale', factor: 's', kernel: base('matern52', { ls: 'ls' }) }, base('white', { noise: 'w' })] };

function data(n: number, D: number, seed: number): GPData {
  const u = lcg(seed);
  const x = Float64Array.from({ length: n * D }, () => 4 * u());
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * x[i * D]!) + (D > 1 ? 0.5 * Math.cos(x[i * D + 1]!) : 0) + 0.1 * (u() - 0.5));
  return { x, y, n, stride: D, task: new Int32Array(n), dropped: 0 };
}

function problem(kernel: KernelExpr, D: number, mean: 'zero' | 'constant' | 'linear' = 'zero') {
  const params: Record<string, { value: number[] }> = { s: { value: [1.3] }, ls: { value: D > 1 ? Array.from({ length: D }, (_, i) => 0.7 * (i + 1)) : [0.6] }, w: { value: [0.02] } };
  if (mean === 'linear') Object.assign(params, { mw: { value: Array.from({ length: D }, (_, i) => 0.3 - 0.2 * i), identity: true }, mb: { value: [0.1], identity: true } });
  const m = mean === 'zero' ? { kind: 'zero' as const } : mean === 'constant' ? { kind: 'constant' as const, c: 'c' } : { kind: 'linear' as const, w: 'mw', b: 'mb' };
  return gpState(kernel, params, { inputs: D, noise: 0.05, mean: m });
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('Vecchia GP', () => {
  for (const [D, kernel, mean] of [
    [1, RBF, 'zero'],
    [2, RBF, 'constant'],
    [2, M52_PLUS_WHITE, 'linear'],
  ] as const) {
    it(`equals the exact log-likelihood and gradient with m = n - 1 (D = ${D}, ${kernel.op}, ${mean} mean)`, () => {
      const d = data(40, D, 3 + D);
      const { core } = problem(kernel, D, mean);
      const ex = exactLml(core, d, true);
      const v = vecchiaLml(core, vecchiaSetup(d, d.n - 1), true);
      expect(rel(v.lml, ex.lml)).toBeLessThan(1e-8);
      for (const [name, g] of ex.grad!) for (let k = 0; k < g.length; k++) expect(rel(v.grad!.get(name)![k]!, g[k]!)).toBeLessThan(1e-8);
    });
  }

  it('gives a different (approximate) log-likelihood with few neighbours, and its gradient equals finite differences', () => {
    const d = data(60, 2, 9);
    const { state, core } = problem(M52_PLUS_WHITE, 2, 'linear');
    const setup = vecchiaSetup(d, 4);
    const exact = exactLml(core, d, false).lml;
    const v = vecchiaLml(core, setup, true);
    expect(Math.abs(v.lml - exact)).toBeGreaterThan(1e-4);
    const h = 1e-6;
    for (const [name, g] of v.grad!) {
      const val = state.values.get(name)!;
      for (let k = 0; k < g.length; k++) {
        const keep = val[k]!;
        val[k] = keep + h;
        const up = vecchiaLml(core, setup, false).lml;
        val[k] = keep - h;
        const dn = vecchiaLml(core, setup, false).lml;
        val[k] = keep;
        expect(Math.abs((up - dn) / (2 * h) - g[k]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[k]!)));
      }
    }
  });

  it('finds the m nearest previous points (brute force over scaled inputs)', () => {
    for (const D of [1, 2, 3]) {
      const d = data(300, D, 20 + D);
      const m = 7;
      const s = vecchiaSetup(d, m);
      // The ordering sorts by the first input.
      for (let i = 1; i < d.n; i++) expect(s.x[i * D]!).toBeGreaterThanOrEqual(s.x[(i - 1) * D]!);
      const pts = scaled(s.x, d.n, D, columnScales(s.x, d.n, D));
      const out = new Int32Array(m);
      for (let i = 0; i < d.n; i++) {
        const k = s.neighbours(i, out);
        expect(k).toBe(Math.min(m, i));
        const dist = (j: number): number => Array.from({ length: D }, (_, c) => (pts[i * D + c]! - pts[j * D + c]!) ** 2).reduce((a, b) => a + b, 0);
        const brute = Array.from({ length: i }, (_, j) => j).sort((a, b) => dist(a) - dist(b) || a - b).slice(0, k);
        expect(Array.from(out.subarray(0, k)).map(dist)).toEqual(brute.map(dist));
      }
    }
  });

  it('predicts as the exact GP when it conditions on every training point (m >= n)', () => {
    for (const D of [1, 2]) {
      const d = data(30, D, 40 + D);
      const { state, core } = problem(M52_PLUS_WHITE, D, 'constant');
      const fitted = withTrainingData(state, d);
      const u = lcg(7);
      const xs = Float64Array.from({ length: 8 * D }, () => 5 * u() - 0.5);
      const ex = predict(fitted, xs, 8);
      const v = vecchiaPredictScaled(core, vecchiaSetup(d, 1000), 1000, xs, 8);
      for (let i = 0; i < 8; i++) {
        expect(v.mean[i]!).toBeCloseTo(ex.mean[i]!, 9);
        expect(v.varF[i]!).toBeCloseTo(ex.varF[i]!, 9);
        expect(v.varY[i]!).toBeCloseTo(ex.varY[i]!, 9);
      }
    }
  });

  it('equals the exact GP on random small problems (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 25 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.2, max: 3, noNaN: true }), (n, D, seed, ls) => {
        const d = data(n, D, seed);
        const { state, core } = problem(RBF, D, 'constant');
        state.values.get('ls')!.fill(ls);
        const ex = exactLml(core, d, true);
        const v = vecchiaLml(core, vecchiaSetup(d, n + 5), true);
        expect(rel(v.lml, ex.lml)).toBeLessThan(1e-8);
        for (const [name, g] of ex.grad!) for (let k = 0; k < g.length; k++) expect(rel(v.grad!.get(name)![k]!, g[k]!)).toBeLessThan(1e-7);
      }),
      { numRuns: 40 },
    );
  });
});

describe('Vecchia numerics: refusals', () => {
  it('names the training row whose local covariance is not positive definite (duplicate inputs, no noise)', () => {
    const d: GPData = { x: Float64Array.from([2, 1, 0, 1]), y: Float64Array.from([0, 1, 2, 3]), n: 4, stride: 1, task: new Int32Array(4), dropped: 0 };
    const { core } = gpState(RBF, { s: { value: [1] }, ls: { value: [1] } }, { noise: 0, fixedNoise: true });
    // Ordered by x: rows 3 (x = 0), 2 and 4 (x = 1, ties by row), 1; row 4 conditions on row 2, its duplicate.
    expect(() => vecchiaLml(core, vecchiaSetup(d, 2), false)).toThrow(/covariance of training point 4 and its 2 neighbours is not positive definite/);
    const noisy = gpState(RBF, { s: { value: [1] }, ls: { value: [1] } }, { noise: 0.01, fixedNoise: true });
    expect(Number.isFinite(vecchiaLml(noisy.core, vecchiaSetup(d, 2), true).lml)).toBe(true);
  });
});

describe('Vecchia fit cost', () => {
  it('estimates pairs over a measured rate, refuses over the limit with the estimate, and stays linear in n', () => {
    const t = vecchiaTimeEstimate(1_000_000, 30, 200, 1);
    expect(t.stepSeconds).toBeCloseTo((1e6 * 31 * 32) / 2 / VECCHIA_PAIR_RATE, 9);
    expect(vecchiaTimeEstimate(2_000_000, 30, 200, 1).stepSeconds).toBeCloseTo(2 * t.stepSeconds, 9);
    // m is clamped to n - 1 as in the fit.
    expect(vecchiaTimeEstimate(10, 30, 1, 1).m).toBe(9);
    expect(() => checkVecchiaTime('V', 'd', t, 3600)).toThrow(/fitting the Vecchia GP V on d needs about .* per L-BFGS step .* over the time limit of 60 min/);
    expect(() => checkVecchiaTime('V', 'd', vecchiaTimeEstimate(1000, 30, 200, 1), 3600)).not.toThrow();
    // Memory: no n^2 term (1M points, 2 inputs, m = 30: data copies and neighbour sets, under 300 MB).
    expect(vecchiaFitBytes(1_000_000, 2, 30)).toBeLessThan(3e8);
    expect(vecchiaFitBytes(2_000_000, 2, 30) / vecchiaFitBytes(1_000_000, 2, 30)).toBeLessThan(2.01);
  });
});
