import { describe, expect, it } from 'vitest';
import { normal } from '../../../stdlib/distributions/normal.js';
import type { EMOptions, LayerContext, LayerParams } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';
import { expectClose } from './helpers.js';

const ctxOf = (units: number, dims: number, variant: string): LayerContext => ({ units, dims, variant, levels: new Array<number>(dims).fill(0) });
const REG = 1e-6;
const opts: EMOptions = { regCovar: REG, fixed: new Set() };

/** n rows, row i drawn from unit labels[i] of a full-covariance layer. */
function drawFull(mean: number[], cov: number[], D: number, labels: number[], seed: number): Float64Array {
  const p = { mean: Float64Array.from(mean), cov: Float64Array.from(cov) };
  const ctx = ctxOf(mean.length / D, D, 'full');
  const rng = new Rng(seed);
  const x = new Float64Array(labels.length * D);
  labels.forEach((u, i) => normal.sample(p, ctx, u, rng, x.subarray(i * D, (i + 1) * D)));
  return x;
}

/** Weighted mean and scatter / Nk of unit u, computed directly. */
function moments(x: Float64Array, D: number, w: (i: number) => number, n: number, mu?: number[]): { nk: number; mean: number[]; cov: number[] } {
  let nk = 0;
  const mean = new Array<number>(D).fill(0);
  for (let i = 0; i < n; i++) {
    nk += w(i);
    for (let d = 0; d < D; d++) mean[d] += w(i) * x[i * D + d]!;
  }
  const m = mu ?? mean.map((s) => s / nk);
  const cov = new Array<number>(D * D).fill(0);
  for (let i = 0; i < n; i++) for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) cov[a * D + b] += (w(i) * (x[i * D + a]! - m[a]!) * (x[i * D + b]! - m[b]!)) / nk;
  return { nk, mean: m, cov };
}

const COV_A = [2, 0.6, -0.4, 0.6, 1, 0.3, -0.4, 0.3, 0.5];
const COV_B = [0.5, -0.2, 0, -0.2, 1.5, 0.4, 0, 0.4, 1];
const MEANS = [0, 1, -1, 4, -3, 2];

describe('Normal mstep / init', () => {
  const rng = new Rng(301);
  const n = 40;
  const x = Float64Array.from({ length: n * 3 }, () => rng.normal() * 2 + 1);
  const resp = Float64Array.from({ length: n * 2 }, () => rng.uniform());
  const prev = (variant: string): LayerParams => normal.init(x, n, resp, ctxOf(2, 3, variant), new Rng(1), opts);

  it('follows scikit-learn: weighted scatter / Nk + reg_covar on the diagonal', () => {
    const m = [0, 1].map((u) => moments(x, 3, (i) => resp[i * 2 + u]!, n));
    const full = normal.mstep(x, n, resp, ctxOf(2, 3, 'full'), prev('full'), opts);
    const diag = normal.mstep(x, n, resp, ctxOf(2, 3, 'diag'), prev('diag'), opts);
    const sph = normal.mstep(x, n, resp, ctxOf(2, 3, 'spherical'), prev('spherical'), opts);
    const tied = normal.mstep(x, n, resp, ctxOf(2, 3, 'tied'), prev('tied'), opts);
    m.forEach(({ mean, cov }, u) => {
      mean.forEach((v, d) => expectClose(full['mean']![u * 3 + d]!, v, 1e-12));
      cov.forEach((v, e) => expectClose(full['cov']![u * 9 + e]!, v + (e % 4 === 0 ? REG : 0), 1e-12));
      for (let d = 0; d < 3; d++) expectClose(diag['var']![u * 3 + d]!, cov[d * 4]! + REG, 1e-12);
      expectClose(sph['var']![u]!, (cov[0]! + cov[4]! + cov[8]!) / 3 + REG, 1e-12);
    });
    const total = m[0]!.nk + m[1]!.nk;
    for (let e = 0; e < 9; e++) expectClose(tied['cov']![e]!, (m[0]!.cov[e]! * m[0]!.nk + m[1]!.cov[e]! * m[1]!.nk) / total + (e % 4 === 0 ? REG : 0), 1e-12);
  });

  it('fixed mean: covariance around it; fixed cov: kept', () => {
    const ctx = ctxOf(2, 3, 'full');
    const p0 = prev('full');
    p0['mean']!.set([5, 5, 5], 3);
    const a = normal.mstep(x, n, resp, ctx, p0, { regCovar: REG, fixed: new Set(['mean']) });
    expect(Array.from(a['mean']!)).toEqual(Array.from(p0['mean']!));
    const m1 = moments(x, 3, (i) => resp[i * 2 + 1]!, n, [5, 5, 5]);
    m1.cov.forEach((v, e) => expectClose(a['cov']![9 + e]!, v + (e % 4 === 0 ? REG : 0), 1e-12));
    const b = normal.mstep(x, n, resp, ctx, p0, { regCovar: REG, fixed: new Set(['cov']) });
    expect(Array.from(b['cov']!)).toEqual(Array.from(p0['cov']!));
    expectClose(b['mean']![3]!, moments(x, 3, (i) => resp[i * 2 + 1]!, n).mean[0]!, 1e-12);
  });

  it('integer weights equal replicated rows; an empty unit keeps its parameters', () => {
    const w = Float64Array.from({ length: n }, (_, i) => i % 4);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < w[i]!; k++) rows.push(...x.subarray(i * 3, i * 3 + 3));
    const ctx = ctxOf(1, 3, 'full');
    const p0 = normal.init(x, n, new Float64Array(n).fill(1), ctx, new Rng(1), opts);
    const a = normal.mstep(x, n, w, ctx, p0, opts);
    const b = normal.mstep(Float64Array.from(rows), rows.length / 3, new Float64Array(rows.length / 3).fill(1), ctx, p0, opts);
    a['cov']!.forEach((v, e) => expectClose(v, b['cov']![e]!, 1e-12));
    a['mean']!.forEach((v, e) => expectClose(v, b['mean']![e]!, 1e-12));
    const r = resp.slice();
    for (let i = 0; i < n; i++) r[i * 2 + 1] = 0;
    const p1 = prev('full');
    const c = normal.mstep(x, n, r, ctxOf(2, 3, 'full'), p1, opts);
    expect(Array.from(c['cov']!.subarray(9))).toEqual(Array.from(p1['cov']!.subarray(9)));
  });

  it('recovers two full-covariance components from 5000 labelled draws', () => {
    const labels = Array.from({ length: 5000 }, (_, i) => i % 2);
    const data = drawFull(MEANS, [...COV_A, ...COV_B], 3, labels, 302);
    const r = new Float64Array(10000);
    labels.forEach((u, i) => (r[i * 2 + u] = 1));
    const ctx = ctxOf(2, 3, 'full');
    const p = normal.mstep(data, 5000, r, ctx, normal.init(data, 5000, r, ctx, new Rng(1), opts), opts);
    // 2500 draws per unit: standard errors of about 0.03 (means) and 0.03-0.06 (covariances).
    MEANS.forEach((v, k) => expect(Math.abs(p['mean']![k]! - v)).toBeLessThan(0.12));
    [...COV_A, ...COV_B].forEach((v, k) => expect(Math.abs(p['cov']![k]! - v)).toBeLessThan(0.2));
  });

  it('with 20% missing cells, EM raises the observed likelihood every step and recovers the parameters', () => {
    const N = 5000;
    const data = drawFull(MEANS.slice(0, 3), COV_A, 3, new Array<number>(N).fill(0), 303);
    const miss = new Rng(304);
    for (let i = 0; i < data.length; i++) if (miss.uniform() < 0.2) data[i] = NaN;
    const ctx = ctxOf(1, 3, 'full');
    const ones = new Float64Array(N).fill(1);
    const ll = (p: LayerParams): number => {
      const out = new Float64Array(N);
      normal.logDensity(p, ctx, data, N, out);
      return out.reduce((a, b) => a + b, 0);
    };
    let p = normal.init(data, N, ones, ctx, new Rng(1), opts);
    let last = ll(p);
    for (let it = 0; it < 40; it++) {
      p = normal.mstep(data, N, ones, ctx, p, opts);
      const now = ll(p);
      expect(now).toBeGreaterThanOrEqual(last - 1e-7 * Math.abs(last));
      last = now;
    }
    // Looser than the complete-data case: 20% fewer observations and EM's slower convergence.
    MEANS.slice(0, 3).forEach((v, k) => expect(Math.abs(p['mean']![k]! - v)).toBeLessThan(0.15));
    COV_A.forEach((v, k) => expect(Math.abs(p['cov']![k]! - v)).toBeLessThan(0.25));
  });

  it('init is always usable: identical rows, reg_covar = 0, all-missing columns', () => {
    const same = Float64Array.from({ length: 30 }, (_, k) => [1, 2, 3][k % 3]!);
    for (const variant of ['full', 'diag', 'spherical', 'tied']) {
      const ctx = ctxOf(2, 3, variant);
      const p = normal.init(same, 10, Float64Array.from({ length: 20 }, (_, k) => k % 2), ctx, new Rng(1), { regCovar: 0, fixed: new Set() });
      const out = new Float64Array(20);
      normal.logDensity(p, ctx, same, 10, out);
      expect(out.every(Number.isFinite)).toBe(true);
    }
    const holes = x.slice();
    for (let i = 0; i < n; i++) holes[i * 3 + 2] = NaN;
    const p = normal.init(holes, n, resp, ctxOf(2, 3, 'full'), new Rng(1), opts);
    const out = new Float64Array(2 * n);
    normal.logDensity(p, ctxOf(2, 3, 'full'), holes, n, out);
    expect(out.every(Number.isFinite)).toBe(true);
  });
});
