// Densities integrate to 1 (1-D and 2-D numerical integration, every kernel, radial and
// product), conditionals too; marginals agree with integrating the joint; interval
// probabilities match integrals of the density; samples match the moments.
import { describe, expect, it } from 'vitest';
import { conditional, createKde, intervalProbability, KERNEL_NAMES, logDensity, marginal, moments, sample, type Kde } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';

/** Simpson's rule over [a, b] of f at m + 1 nodes (m even), f taking all nodes at once. */
function simpson(f: (xs: Float64Array) => Float64Array, a: number, b: number, m: number): number {
  const xs = Float64Array.from({ length: m + 1 }, (_, i) => a + ((b - a) * i) / m);
  const ys = f(xs);
  let s = 0;
  for (let i = 0; i <= m; i++) s += (i === 0 || i === m ? 1 : i % 2 ? 4 : 2) * ys[i]!;
  return (s * (b - a)) / (3 * m);
}

const dens = (kde: Kde, q: Float64Array): Float64Array => logDensity(kde, q).map(Math.exp);

function grid2(kde: Kde, lo: number[], hi: number[], m: number): number {
  // 2-D midpoint rule
  const hx = (hi[0]! - lo[0]!) / m;
  const hy = (hi[1]! - lo[1]!) / m;
  const q = new Float64Array(m * m * 2);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      q[(i * m + j) * 2] = lo[0]! + (i + 0.5) * hx;
      q[(i * m + j) * 2 + 1] = lo[1]! + (j + 0.5) * hy;
    }
  return dens(kde, q).reduce((s, v) => s + v, 0) * hx * hy;
}

const rng = new Rng(21);
const rows1 = Array.from({ length: 12 }, () => [rng.normal() * 1.5]);
const rows2 = Array.from({ length: 10 }, () => [rng.normal(), 0.5 * rng.normal()]);

describe('densities integrate to 1', () => {
  it('1-D, every kernel', () => {
    for (const k of KERNEL_NAMES) {
      const kde = createKde({ data: rows1, kernel: k, bandwidth: 0.8 });
      // the kinks of compact kernels need a fine grid; exponential's tails a wide one
      const total = simpson((xs) => dens(kde, xs), -40, 40, 200_000);
      expect(total, k).toBeCloseTo(1, 4);
    }
  });

  it('2-D, every kernel, radial (full H) and product forms', () => {
    for (const k of KERNEL_NAMES)
      for (const form of ['radial', 'product'] as const) {
        const kde = createKde({ data: rows2, kernel: k, form, bandwidth: form === 'radial' ? { matrix: [[0.6, 0.2], [0.2, 0.4]] } : [0.7, 0.5] });
        const wide = k === 'exponential' ? 25 : k === 'gaussian' ? 9 : 5;
        const total = grid2(kde, [-wide, -wide], [wide, wide], 500);
        expect(total, `${k} ${form}`).toBeCloseTo(1, 2);
      }
  });

  it('conditionals integrate to 1 and equal joint / marginal (gaussian full H, product kernels)', () => {
    for (const [kernel, form, bw] of [
      ['gaussian', 'radial', { matrix: [[0.6, 0.25], [0.25, 0.4]] }],
      ['epanechnikov', 'product', [1.2, 0.9]],
      ['cosine', 'product', [1.1, 1.0]],
    ] as const) {
      const kde = createKde({ data: rows2, kernel, form, bandwidth: bw as never });
      const x0 = 0.3;
      const c = conditional(kde, new Map([[0, x0]]));
      const total = simpson((ys) => dens(c, ys), -10, 10, 40_000);
      expect(total, kernel).toBeCloseTo(1, 4);
      // p(y | x0) = p(x0, y) / p(x0)
      const px = Math.exp(logDensity(marginal(kde, [0]), Float64Array.from([x0]))[0]!);
      for (const y of [-0.4, 0.1, 0.6]) {
        const joint = Math.exp(logDensity(kde, Float64Array.from([x0, y]))[0]!);
        expect(Math.exp(logDensity(c, Float64Array.from([y]))[0]!), `${kernel} y=${y}`).toBeCloseTo(joint / px, 10);
      }
    }
  });

  it('a marginal equals integrating the joint over the dropped column', () => {
    for (const [kernel, form] of [
      ['gaussian', 'radial'],
      ['linear', 'product'],
    ] as const) {
      const kde = createKde({ data: rows2, kernel, form, bandwidth: kernel === 'gaussian' ? { matrix: [[0.6, 0.25], [0.25, 0.4]] } : [1, 0.8] });
      const m = marginal(kde, [1]);
      for (const y of [-0.5, 0.2]) {
        const integral = simpson((xs) => dens(kde, Float64Array.from(Array.from(xs).flatMap((x) => [x, y]))), -12, 12, 40_000);
        expect(Math.exp(logDensity(m, Float64Array.from([y]))[0]!)).toBeCloseTo(integral, 7);
        // and a NaN cell marginalizes the same
        expect(logDensity(kde, Float64Array.from([NaN, y]))[0]).toBeCloseTo(logDensity(m, Float64Array.from([y]))[0]!, 12);
      }
    }
    expect(() => marginal(createKde({ data: rows2, kernel: 'linear', bandwidth: 1 }), [0])).toThrow(/radial 'linear'/);
  });
});

describe('interval probabilities and moments', () => {
  it('closed-form intervals equal integrals of the density (every kernel, 1-D; product 2-D)', () => {
    for (const k of KERNEL_NAMES) {
      const kde = createKde({ data: rows1, kernel: k, bandwidth: 0.8 });
      const p = intervalProbability(kde, [-0.5], [1.2]);
      expect(p, k).toBeCloseTo(simpson((xs) => dens(kde, xs), -0.5, 1.2, 100_000), 5);
      expect(intervalProbability(kde, [-Infinity], [Infinity])).toBeCloseTo(1, 14);
    }
    const prod = createKde({ data: rows2, kernel: 'epanechnikov', form: 'product', bandwidth: [0.9, 0.7] });
    const p2 = intervalProbability(prod, [-0.5, -0.2], [1, 0.6]);
    expect(p2).toBeCloseTo(grid2(prod, [-0.5, -0.2], [1, 0.6], 600), 4);
    // one column unconstrained (NaN): the marginal interval
    expect(intervalProbability(prod, [-0.5, NaN], [1, NaN])).toBeCloseTo(intervalProbability(marginal(prod, [0]), [-0.5], [1]), 14);
    expect(() => intervalProbability(createKde({ data: rows2, bandwidth: { matrix: [[1, 0.3], [0.3, 1]] } }), [0, 0], [1, 1])).toThrow(/no closed form/);
  });

  it('samples have the KDE mean and variance (every kernel, radial and product)', () => {
    for (const k of KERNEL_NAMES)
      for (const form of ['radial', 'product'] as const) {
        const kde = createKde({ data: rows2, kernel: k, form, bandwidth: form === 'radial' ? { matrix: [[0.6, 0.2], [0.2, 0.4]] } : [0.7, 0.5] });
        const { mean, variance } = moments(kde);
        const s = sample(kde, 40_000, 7);
        for (let a = 0; a < 2; a++) {
          let m = 0;
          for (let i = 0; i < 40_000; i++) m += s[i * 2 + a]! / 40_000;
          let v = 0;
          for (let i = 0; i < 40_000; i++) v += (s[i * 2 + a]! - m) ** 2 / 40_000;
          expect(Math.abs(m - mean[a]!), `${k} ${form} mean ${a}`).toBeLessThan(5 * Math.sqrt(variance[a]! / 40_000));
          expect(Math.abs(v / variance[a]! - 1), `${k} ${form} var ${a}`).toBeLessThan(0.05);
        }
      }
  });

  it('categorical columns: intervals over levels and samples keep 1 - lambda of their level', () => {
    const rows = [
      [0, 0],
      [1, 2],
      [0.5, 1],
    ];
    const kde = createKde({ data: rows, columns: [{ name: 'x', type: 'real' }, { name: 'g', type: 'categorical', levels: 3 }], bandwidth: 1, lambda: 0.3 });
    const pAll = [0, 1, 2].reduce((s, g) => s + intervalProbability(kde, [NaN, g], [NaN, g]), 0);
    expect(pAll).toBeCloseTo(1, 14);
    // P(g = 0) = mean over rows of (1 - lambda if row level 0 else lambda / 2)
    expect(intervalProbability(kde, [NaN, 0], [NaN, 0])).toBeCloseTo((0.7 + 0.15 + 0.15) / 3, 14);
    const s = sample(kde, 30_000, 3);
    let zeros = 0;
    for (let i = 0; i < 30_000; i++) if (s[i * 2 + 1] === 0) zeros++;
    expect(Math.abs(zeros / 30_000 - 1 / 3)).toBeLessThan(0.015);
  });
});
