// The direct sum equals an independent direct sum (test/kde/reference.ts) to 1e-12 relative
// in log space (|a - b| <= 1e-12 max(1, |b|)), for every kernel, bandwidth form and D = 1..8,
// including far points where every gaussian term underflows.
import { describe, expect, it } from 'vitest';
import { createKde, KERNEL_NAMES, logDensity, logKernelNorm, type BandwidthSpec } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';
import { normalizer, refProduct, refRadial } from './reference.js';

const close = (a: number, b: number): boolean => (a === b ? true : Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)));

function dataset(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, (_, a) => (a + 1) * rng.normal() + (rng.uniform() < 0.5 ? 2 : -1)));
}

function spd(d: number, rng: Rng): number[][] {
  const g = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
  return g.map((r, i) => g.map((s, j) => r.reduce((acc, v, k) => acc + v * s[k]!, 0) / d + (i === j ? 0.5 : 0)));
}

function cov(rows: number[][]): number[][] {
  const n = rows.length;
  const d = rows[0]!.length;
  const m = Array.from({ length: d }, (_, a) => rows.reduce((s, r) => s + r[a]!, 0) / n);
  return m.map((_, a) => m.map((__, b) => rows.reduce((s, r) => s + (r[a]! - m[a]!) * (r[b]! - m[b]!), 0) / (n - 1)));
}

describe('kernel normalizers', () => {
  it('equal closed forms / Simpson on the radial integral, every kernel, D = 1..8', () => {
    for (const k of KERNEL_NAMES) for (let d = 1; d <= 8; d++) expect(close(logKernelNorm(k, d), Math.log(normalizer(k, d))), `${k} d=${d}`).toBe(true);
  });
});

describe('direct log density', () => {
  it('equals the reference for every kernel, bandwidth form and D = 1..8 (radial)', () => {
    for (let d = 1; d <= 8; d++) {
      const rng = new Rng(100 + d);
      const rows = dataset(40, d, d);
      const queries = [...rows.slice(0, 5).map((r) => r.map((v) => v + 0.3 * rng.normal())), ...dataset(5, d, 50 + d)];
      const H0 = spd(d, rng);
      const hv = Array.from({ length: d }, () => 0.5 + rng.uniform());
      const C = cov(rows);
      const f = 0.7;
      const forms: [BandwidthSpec, number[][]][] = [
        [1.3, rows[0]!.map((_, a) => rows[0]!.map((__, b) => (a === b ? 1.69 : 0)))],
        [hv, hv.map((v, a) => hv.map((__, b) => (a === b ? v * v : 0)))],
        [{ matrix: H0 }, H0],
        [{ whitened: f }, C.map((r) => r.map((v) => f * f * v))],
      ];
      for (const kernel of KERNEL_NAMES)
        for (const [bw, H] of forms) {
          // compact kernels need a wide enough bandwidth to reach a point
          const scale = kernel === 'gaussian' || kernel === 'exponential' ? 1 : 4;
          const Hs = H.map((r) => r.map((v) => v * scale * scale));
          const spec: BandwidthSpec = typeof bw === 'number' ? bw * scale : Array.isArray(bw) ? bw.map((v) => v * scale) : 'matrix' in bw ? { matrix: Hs } : { whitened: f * scale };
          const kde = createKde({ data: rows, kernel, bandwidth: spec });
          const got = logDensity(kde, Float64Array.from(queries.flat()));
          queries.forEach((q, i) => {
            const want = refRadial(kernel, rows, Hs, q);
            expect(close(got[i]!, want), `${kernel} d=${d} bw=${JSON.stringify(bw)} q${i}: ${got[i]} vs ${want}`).toBe(true);
          });
        }
    }
  });

  it('equals the reference product kernel for every kernel and D = 1..8', () => {
    for (let d = 1; d <= 8; d++) {
      const rng = new Rng(200 + d);
      const rows = dataset(30, d, 300 + d);
      const queries = rows.slice(0, 6).map((r) => r.map((v) => v + 0.2 * rng.normal()));
      const h = Array.from({ length: d }, () => 1.5 + rng.uniform());
      for (const kernel of KERNEL_NAMES) {
        const kde = createKde({ data: rows, kernel, form: 'product', bandwidth: h });
        const got = logDensity(kde, Float64Array.from(queries.flat()));
        queries.forEach((q, i) => expect(close(got[i]!, refProduct(kernel, rows, h, q)), `${kernel} d=${d} q${i}`).toBe(true));
      }
    }
  });

  it('far points: every gaussian term underflows, the log density is still right and finite', () => {
    const rows = dataset(50, 3, 7);
    const kde = createKde({ data: rows, kernel: 'gaussian', bandwidth: 0.5 });
    const far = [
      [1e3, 0, 0],
      [-4e3, 2e3, 1e2],
    ];
    const got = logDensity(kde, Float64Array.from(far.flat()));
    const I = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a === b ? 0.25 : 0)));
    far.forEach((q, i) => {
      expect(Number.isFinite(got[i]!)).toBe(true);
      expect(got[i]!).toBeLessThan(-1e6);
      expect(close(got[i]!, refRadial('gaussian', rows, I, q))).toBe(true);
    });
  });

  it('compact kernels give -Infinity where no point is in reach, and finite values inside', () => {
    const rows = dataset(20, 2, 8);
    for (const kernel of ['tophat', 'epanechnikov', 'linear', 'cosine'] as const) {
      const kde = createKde({ data: rows, kernel, bandwidth: 0.5 });
      const got = logDensity(kde, Float64Array.from([100, 100, ...rows[0]!]));
      expect(got[0]).toBe(-Infinity);
      expect(Number.isFinite(got[1]!)).toBe(true);
    }
  });

  it('weights: equals the weighted reference (rows repeated by integer weights)', () => {
    const rows = dataset(15, 2, 9);
    const wts = rows.map((_, i) => 1 + (i % 3));
    const kde = createKde({ data: rows, weights: wts, bandwidth: 0.8 });
    const repeated = rows.flatMap((r, i) => Array.from({ length: wts[i]! }, () => r));
    const q = [0.3, -0.2];
    const H = [
      [0.64, 0],
      [0, 0.64],
    ];
    expect(close(logDensity(kde, Float64Array.from(q))[0]!, refRadial('gaussian', repeated, H, q))).toBe(true);
  });

  it('missing cells are marginalized: a gaussian with a full H drops to the sub-matrix; a product kernel drops the factor', () => {
    const rng = new Rng(3);
    const rows = dataset(25, 3, 10);
    const H = spd(3, rng);
    const kde = createKde({ data: rows, bandwidth: { matrix: H } });
    const got = logDensity(kde, Float64Array.from([0.5, NaN, -1]))[0]!;
    const sub = [
      [H[0]![0]!, H[0]![2]!],
      [H[2]![0]!, H[2]![2]!],
    ];
    expect(close(got, refRadial('gaussian', rows.map((r) => [r[0]!, r[2]!]), sub, [0.5, -1]))).toBe(true);
    const prod = createKde({ data: rows, kernel: 'epanechnikov', form: 'product', bandwidth: [3, 4, 5] });
    const gp = logDensity(prod, Float64Array.from([NaN, 0.1, 0.2]))[0]!;
    expect(close(gp, refProduct('epanechnikov', rows.map((r) => [r[1]!, r[2]!]), [4, 5], [0.1, 0.2]))).toBe(true);
    expect(() => logDensity(createKde({ data: rows, kernel: 'linear', bandwidth: 2 }), Float64Array.from([NaN, 0, 0]))).toThrow(/cannot be marginalized/);
  });

  it('categorical columns use the Aitchison-Aitken kernel (statsmodels "u")', () => {
    const rows = [
      [0.1, 0],
      [0.5, 1],
      [-0.3, 2],
      [1.2, 1],
    ];
    const lam = 0.3;
    const kde = createKde({ data: rows, columns: [{ name: 'x', type: 'real' }, { name: 'g', type: 'categorical', levels: 3 }], bandwidth: 0.7, lambda: lam });
    const q = [0.2, 1];
    const want = Math.log(
      rows.reduce((s, r) => s + (Math.exp(-0.5 * ((q[0]! - r[0]!) / 0.7) ** 2) / (0.7 * Math.sqrt(2 * Math.PI))) * (r[1] === q[1] ? 1 - lam : lam / 2), 0) / rows.length,
    );
    expect(close(logDensity(kde, Float64Array.from(q))[0]!, want)).toBe(true);
  });

  it('bad input names the place', () => {
    expect(() => createKde({ data: [[1, NaN]] })).toThrow(/data row 1, column 'x2'/);
    expect(() => createKde({ data: [[1], [2]], kernel: 'box' as never })).toThrow(/key 'kernel': unknown kernel 'box'/);
    expect(() => createKde({ data: [[1], [2]], bandwidth: -1 })).toThrow(/key 'bandwidth'.*> 0/);
    expect(() => createKde({ data: [[1, 2], [2, 3]], bandwidth: { matrix: [[1, 2], [2, 1]] } })).toThrow(/not positive definite/);
    expect(() => createKde({ data: [[1], [2]], weights: [1, -1] })).toThrow(/key 'weights', row 2/);
    const kde = createKde({ data: [[1], [2]], bandwidth: 1 });
    expect(() => logDensity(kde, Float64Array.from([Infinity]))).toThrow(/query row 1, column 'x1'/);
  });
});

describe('the WebAssembly block path of the gaussian direct sum', () => {
  it('equals the plain loop to 1e-13 across blocks, with weights, far points and missing cells', async () => {
    const { useKdeWasm } = await import('../../families/kde/index.js');
    const rng = new Rng(77);
    for (const d of [1, 3, 8]) {
      const n = 5000 + d; // several 2048-row blocks and a ragged last one
      const x = Float64Array.from({ length: n * d }, () => 2 * rng.normal());
      const w = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : rng.uniform()));
      const q = Float64Array.from({ length: 37 * d }, () => 3 * rng.normal());
      q[0] = 1e4; // every term underflows
      if (d > 1) q[d + 1] = NaN; // a missing cell
      for (const weights of [undefined, w]) {
        const kde = createKde({ data: x, d, bandwidth: { whitened: 0.4 }, weights });
        useKdeWasm(false);
        const plain = logDensity(kde, q);
        useKdeWasm(true);
        const blocks = logDensity(kde, q);
        for (let i = 0; i < 37; i++) expect(close(blocks[i]!, plain[i]!), `d=${d} row ${i}: ${blocks[i]} vs ${plain[i]}`).toBe(true);
        expect(Math.abs(blocks[0]! - plain[0]!)).toBeLessThanOrEqual(1e-13 * Math.abs(plain[0]!));
      }
    }
  });
});
