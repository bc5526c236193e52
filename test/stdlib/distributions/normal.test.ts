import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import normalLogpdf from '@stdlib/stats-base-dists-normal-logpdf';
import { normal } from '../../../stdlib/distributions/normal.js';
import { NotPositiveDefiniteError } from '../../../stdlib/distributions/gaussian.js';
import type { LayerContext, LayerParams } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';
import { expectClose, expectMoments, integrate, real } from './helpers.js';

const ctxOf = (units: number, dims: number, variant: string): LayerContext => ({ units, dims, variant, levels: new Array<number>(dims).fill(0) });
const VARIANTS = ['full', 'diag', 'spherical', 'tied'];

/** Bivariate normal log-density written out by hand. */
function biv(x1: number, x2: number, m1: number, m2: number, s11: number, s12: number, s22: number): number {
  const det = s11 * s22 - s12 * s12;
  const d1 = x1 - m1;
  const d2 = x2 - m2;
  return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - (0.5 * (s22 * d1 * d1 - 2 * s12 * d1 * d2 + s11 * d2 * d2)) / det;
}

/** A random SPD 3x3 matrix A A^T + 0.2 I. */
const spd3 = fc.array(real(-1, 1), { minLength: 9, maxLength: 9 }).map((a) => {
  const m = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) m[i * 3 + j] += a[i * 3 + k]! * a[j * 3 + k]!;
  for (let i = 0; i < 3; i++) m[i * 4] += 0.2;
  return m;
});

function logDens(p: LayerParams, ctx: LayerContext, x: number[]): Float64Array {
  const n = x.length / ctx.dims;
  const out = new Float64Array(n * ctx.units);
  normal.logDensity(p, ctx, Float64Array.from(x), n, out);
  return out;
}

describe('Normal', () => {
  it('D = 1 matches @stdlib normal logpdf for every variant', () => {
    fc.assert(
      fc.property(real(-10, 10), real(0.05, 10), real(-50, 50), fc.constantFrom(...VARIANTS), (mu, sd, x, variant) => {
        const ctx = ctxOf(1, 1, variant);
        const { values, errors } = normal.fromArgs({ mean: mu, sd }, ctx);
        expect(errors).toEqual([]);
        const p = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Float64Array.from(v)]));
        expectClose(logDens(p, ctx, [x])[0]!, normalLogpdf(x, mu, sd), 1e-9);
      }),
      { numRuns: 100 },
    );
  });

  it('full 3-D: a missing coordinate gives the 2-D marginal Gaussian', () => {
    fc.assert(
      fc.property(spd3, fc.array(real(-3, 3), { minLength: 6, maxLength: 6 }), fc.nat(2), (cov, v, miss) => {
        const ctx = ctxOf(1, 3, 'full');
        const p = { mean: Float64Array.from(v.slice(0, 3)), cov: Float64Array.from(cov) };
        const x = v.slice(3);
        x[miss] = NaN;
        const [a, b] = [0, 1, 2].filter((d) => d !== miss) as [number, number];
        const expected = biv(x[a]!, x[b]!, v[a]!, v[b]!, cov[a * 4]!, cov[a * 3 + b]!, cov[b * 4]!);
        expectClose(logDens(p, ctx, x)[0]!, expected, 1e-9);
        const allMissing = logDens(p, ctx, [NaN, NaN, NaN])[0];
        expect(allMissing).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('diag and spherical marginalize by dropping terms; tied shares one covariance', () => {
    const x = [0.3, NaN, -1.2];
    const diag = logDens({ mean: Float64Array.from([0, 1, 2]), var: Float64Array.from([1, 4, 9]) }, ctxOf(1, 3, 'diag'), x)[0]!;
    expectClose(diag, normalLogpdf(0.3, 0, 1) + normalLogpdf(-1.2, 2, 3), 1e-12);
    const sph = logDens({ mean: Float64Array.from([0, 1, 2]), var: Float64Array.from([4]) }, ctxOf(1, 3, 'spherical'), x)[0]!;
    expectClose(sph, normalLogpdf(0.3, 0, 2) + normalLogpdf(-1.2, 2, 2), 1e-12);
    const tied = logDens({ mean: Float64Array.from([0, 0, 1, -1]), cov: Float64Array.from([2, 0.5, 0.5, 1]) }, ctxOf(2, 2, 'tied'), [0.4, 0.1]);
    expectClose(tied[0]!, biv(0.4, 0.1, 0, 0, 2, 0.5, 1), 1e-12);
    expectClose(tied[1]!, biv(0.4, 0.1, 1, -1, 2, 0.5, 1), 1e-12);
  });

  it('full 2-D integrates to 1', () => {
    fc.assert(
      fc.property(real(0.3, 3), real(0.3, 3), real(-0.9, 0.9), (s1, s2, rho) => {
        const p = { mean: Float64Array.from([1, -1]), cov: Float64Array.from([s1 * s1, rho * s1 * s2, rho * s1 * s2, s2 * s2]) };
        // Composite Simpson on mean +- 8 sd per axis, rows evaluated in one call.
        const m = 160;
        const w = (i: number): number => (i === 0 || i === m ? 1 : i % 2 ? 4 : 2);
        const xs: number[] = [];
        for (let i = 0; i <= m; i++) for (let j = 0; j <= m; j++) xs.push(1 - 8 * s1 + (16 * s1 * i) / m, -1 - 8 * s2 + (16 * s2 * j) / m);
        const ld = logDens(p, ctxOf(1, 2, 'full'), xs);
        let total = 0;
        for (let i = 0; i <= m; i++) for (let j = 0; j <= m; j++) total += w(i) * w(j) * Math.exp(ld[i * (m + 1) + j]!);
        total *= ((16 * s1) / m / 3) * ((16 * s2) / m / 3);
        expect(Math.abs(total - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 10 },
    );
  });

  it('samples have the stated mean and covariance', () => {
    const cov = [2, 0.6, -0.4, 0.6, 1, 0.3, -0.4, 0.3, 0.5];
    const p = { mean: Float64Array.from([1, -2, 0.5]), cov: Float64Array.from(cov) };
    const ctx = ctxOf(1, 3, 'full');
    const n = 20000;
    const rng = new Rng(201);
    const xs = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) normal.sample(p, ctx, 0, rng, xs.subarray(i * 3, i * 3 + 3));
    const mean = normal.mean(p, ctx, 0);
    const vars = normal.variance(p, ctx, 0);
    for (let d = 0; d < 3; d++) expectMoments(Float64Array.from({ length: n }, (_, i) => xs[i * 3 + d]!), mean[d]!, vars[d]!);
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (xs[i * 3 + a]! - mean[a]!) * (xs[i * 3 + b]! - mean[b]!);
      const se = Math.sqrt((cov[a * 4]! * cov[b * 4]! + cov[a * 3 + b]! ** 2) / n);
      expect(Math.abs(s / n - cov[a * 3 + b]!)).toBeLessThan(5 * se);
    }
    expect(Array.from(normal.mode(p, ctx, 0))).toEqual([1, -2, 0.5]);
  });

  it('cdf for one variable matches the integral of the density', () => {
    const p = { mean: Float64Array.from([1]), var: Float64Array.from([4]) };
    const ctx = ctxOf(1, 1, 'diag');
    const f = (v: number): number => Math.exp(logDens(p, ctx, [v])[0]!);
    for (const v of [-3, 0, 1, 3, 6]) expectClose(normal.cdf!(p, ctx, 0, v), integrate(f, 1 - 40, v, 1e-12), 1e-8);
    expectClose(normal.cdf!(p, ctx, 0, 3), 0.8413447460685429, 1e-12);
    expect(() => normal.cdf!({ mean: new Float64Array(2), var: Float64Array.from([1, 1]) }, ctxOf(1, 2, 'diag'), 0, 0)).toThrow();
  });

  it('condition: textbook conditional Gaussian', () => {
    // 2-D by hand: x2 | x1 ~ N(m2 + s12 / s11 (x1 - m1), s22 - s12^2 / s11).
    const p = { mean: Float64Array.from([1, 2]), cov: Float64Array.from([4, 1.2, 1.2, 1]) };
    const c = normal.condition(p, ctxOf(1, 2, 'full'), 0, Float64Array.from([3, NaN]));
    expect(c.ctx).toEqual({ dims: 1, units: 1, variant: 'full', levels: [0] });
    expectClose(c.params['mean']![0]!, 2 + (1.2 / 4) * (3 - 1), 1e-14);
    expectClose(c.params['cov']![0]!, 1 - (1.2 * 1.2) / 4, 1e-14);
    // 3-D, one observed: Sigma_ff - Sigma_f1 Sigma_1f / s11 entry by entry.
    const cov = [2, 0.6, -0.4, 0.6, 1, 0.3, -0.4, 0.3, 0.5];
    const q = { mean: Float64Array.from([0, 1, -1]), cov: Float64Array.from(cov) };
    const r = normal.condition(q, ctxOf(1, 3, 'full'), 0, Float64Array.from([1.5, NaN, NaN]));
    expectClose(r.params['mean']![0]!, 1 + (0.6 / 2) * 1.5, 1e-14);
    expectClose(r.params['mean']![1]!, -1 + (-0.4 / 2) * 1.5, 1e-14);
    expect(Array.from(r.params['cov']!).map((v) => +v.toFixed(12))).toEqual([1 - 0.36 / 2, 0.3 + 0.24 / 2, 0.3 + 0.24 / 2, 0.5 - 0.16 / 2].map((v) => +v.toFixed(12)));
    // Dropped coordinates are marginalized: conditioning x2 on x1 with x3 dropped is the 2-D case.
    const dropped = normal.condition(q, ctxOf(1, 3, 'full'), 0, Float64Array.from([1.5, NaN, NaN]), [false, false, true]);
    expectClose(dropped.params['mean']![0]!, 1 + 0.3 * 1.5, 1e-14);
    expectClose(dropped.params['cov']![0]!, 1 - 0.36 / 2, 1e-14);
    // diag: independent coordinates, returned as a diag layer.
    const d = normal.condition({ mean: Float64Array.from([0, 5]), var: Float64Array.from([1, 3]) }, ctxOf(1, 2, 'diag'), 0, Float64Array.from([9, NaN]));
    expect(d.ctx.variant).toBe('diag');
    expect(Array.from(d.params['var']!)).toEqual([3]);
    expect(Array.from(d.params['mean']!)).toEqual([5]);
  });

  it('gradLogDensity matches central finite differences (symmetric perturbations of cov)', () => {
    const arb = fc.record({
      variant: fc.constantFrom(...VARIANTS),
      a: spd3,
      b: spd3,
      mean: fc.array(real(-1, 1), { minLength: 6, maxLength: 6 }),
      x: fc.array(fc.oneof({ weight: 4, arbitrary: real(-2, 2) }, { weight: 1, arbitrary: fc.constant(NaN) }), { minLength: 9, maxLength: 9 }),
      coef: fc.array(real(-1, 1), { minLength: 6, maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, ({ variant, a, b, mean, x, coef }) => {
        const ctx = ctxOf(2, 3, variant);
        const p: LayerParams = { mean: Float64Array.from(mean) };
        if (variant === 'full') p['cov'] = Float64Array.from([...a, ...b]);
        if (variant === 'tied') p['cov'] = Float64Array.from(a);
        if (variant === 'diag') p['var'] = Float64Array.from([a[0]!, a[4]!, a[8]!, b[0]!, b[4]!, b[8]!]);
        if (variant === 'spherical') p['var'] = Float64Array.from([a[0]!, b[4]!]);
        const xs = Float64Array.from(x);
        const f = (q: LayerParams): number => {
          const out = new Float64Array(6);
          normal.logDensity(q, ctx, xs, 3, out);
          return out.reduce((s, v, k) => s + coef[k]! * v, 0);
        };
        const grad: LayerParams = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, new Float64Array(v.length)]));
        normal.gradLogDensity(p, ctx, xs, 3, Float64Array.from(coef), grad);
        const h = 1e-6;
        for (const role of Object.keys(p)) {
          const isCov = role === 'cov';
          for (let e = 0; e < p[role]!.length; e++) {
            // A symmetric matrix moves in both (i, j) and (j, i): the change is G_ij + G_ji.
            const r = Math.floor((e % 9) / 3);
            const c = e % 3;
            if (isCov && c < r) continue;
            const mirror = isCov && c !== r ? e - (e % 9) + c * 3 + r : -1;
            const shift = (s: number): LayerParams => {
              const q = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.slice()]));
              q[role]![e] += s;
              if (mirror >= 0) q[role]![mirror] += s;
              return q;
            };
            const fd = (f(shift(h)) - f(shift(-h))) / (2 * h);
            const g = grad[role]![e]! + (mirror >= 0 ? grad[role]![mirror]! : 0);
            expectClose(g, fd, 1e-5, `${variant} ${role}[${e}]`);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('not positive definite: an error naming the unit', () => {
    const p = { mean: new Float64Array(4), cov: Float64Array.from([1, 0, 0, 1, 1, 2, 2, 1]) };
    expect(() => logDens(p, ctxOf(2, 2, 'full'), [0, 0])).toThrow('component covariance of unit 1 is not positive definite; increase reg_covar');
    expect(() => logDens(p, ctxOf(2, 2, 'full'), [0, 0])).toThrow(NotPositiveDefiniteError);
    expect(() => logDens({ mean: new Float64Array(2), var: Float64Array.from([0]) }, ctxOf(1, 2, 'spherical'), [0, 0])).toThrow(/unit 0/);
  });

  it('fromArgs: mean, sd, var, cov per variant; errors name the argument', () => {
    const f = (args: Record<string, number | number[] | number[][]>, variant: string, D = 2) => normal.fromArgs(args, ctxOf(1, D, variant));
    expect(f({ mean: [1, 2] }, 'full').values).toEqual({ mean: [1, 2] });
    expect(f({ mean: 3 }, 'full').values).toEqual({ mean: [3, 3] });
    expect(f({ sd: 2 }, 'full').values).toEqual({ cov: [4, 0, 0, 4] });
    expect(f({ sd: [1, 2] }, 'diag').values).toEqual({ var: [1, 4] });
    expect(f({ var: 3 }, 'spherical').values).toEqual({ var: [3] });
    expect(f({ cov: [[2, 1], [1, 2]] }, 'tied').values).toEqual({ cov: [2, 1, 1, 2] });
    expect(f({ cov: [[2, 0], [0, 3]] }, 'diag').values).toEqual({ var: [2, 3] });
    expect(f({ sd: -1 }, 'full').errors).toEqual([{ arg: 'sd', message: 'sd must be > 0' }]);
    expect(f({ mean: [1, 2, 3] }, 'full').errors[0]!.message).toMatch(/2 entries/);
    expect(f({ cov: [[1, 2], [2, 1]] }, 'full').errors[0]).toEqual({ arg: 'cov', message: 'cov must be symmetric positive definite' });
    expect(f({ cov: [[1, 0.5], [0.4, 1]] }, 'full').errors[0]!.arg).toBe('cov');
    expect(f({ cov: [[1, 0.5], [0.5, 1]] }, 'diag').errors[0]!.message).toMatch(/diagonal/);
    expect(f({ sd: [1, 2] }, 'spherical').errors[0]!.message).toMatch(/one variance/);
    expect(f({ sd: 1, var: 1 }, 'full').errors[0]!.message).toMatch(/only one/);
    expect(f({ cov: 2 }, 'full', 1).values).toEqual({ cov: [2] });
  });

  it('paramSpecs and freeParams per variant', () => {
    expect(normal.paramSpecs(ctxOf(3, 2, 'full')).map((s) => s.shape)).toEqual([[3, 2], [3, 2, 2]]);
    expect(normal.paramSpecs(ctxOf(3, 2, 'spherical'))[1]!.shape).toEqual([3]);
    expect(normal.paramSpecs(ctxOf(3, 2, 'tied'))[1]).toEqual({ role: 'cov', shape: [2, 2], param: { kind: 'spd' }, shared: true });
    expect(normal.freeParams(ctxOf(3, 4, 'full'))).toEqual({ perUnit: 4 + 10, shared: 0 });
    expect(normal.freeParams(ctxOf(3, 4, 'tied'))).toEqual({ perUnit: 4, shared: 10 });
    expect(normal.freeParams(ctxOf(3, 4, 'diag'))).toEqual({ perUnit: 8, shared: 0 });
    expect(normal.freeParams(ctxOf(3, 4, 'spherical'))).toEqual({ perUnit: 5, shared: 0 });
    expect(normal.variants[0]).toBe('full');
  });
});
