import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { factorized } from '../../../stdlib/distributions/factorized.js';
import { poisson } from '../../../stdlib/distributions/poisson.js';
import { gamma } from '../../../stdlib/distributions/gamma.js';
import { categorical } from '../../../stdlib/distributions/categorical.js';
import { binomial } from '../../../stdlib/distributions/binomial.js';
import { studentT } from '../../../stdlib/distributions/student-t.js';
import type { EMOptions, LayerContext, LayerParams } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';
import { expectClose, real } from './helpers.js';

const Poisson = factorized(poisson);
const Gamma = factorized(gamma);
const Categorical = factorized(categorical);
const opts: EMOptions = { regCovar: 1e-6, fixed: new Set() };
const ctxOf = (units: number, dims: number, levels: number[] = new Array<number>(dims).fill(0)): LayerContext => ({ units, dims, variant: '', levels });

/** n rows over `dims` columns drawn from unit labels[i] of a layer. */
function drawLayer(fam: typeof Poisson, p: LayerParams, ctx: LayerContext, labels: number[], seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(labels.length * ctx.dims);
  labels.forEach((u, i) => fam.sample(p, ctx, u, rng, x.subarray(i * ctx.dims, (i + 1) * ctx.dims)));
  return x;
}

function oneHot(labels: number[], units: number): Float64Array {
  const r = new Float64Array(labels.length * units);
  labels.forEach((u, i) => (r[i * units + u] = 1));
  return r;
}

describe('factorized', () => {
  it('has one [units, dims] array per scalar role and [units, dims, L] per levels role', () => {
    expect(Gamma.paramSpecs(ctxOf(2, 3)).map((s) => [s.role, s.shape])).toEqual([['shape', [2, 3]], ['rate', [2, 3]]]);
    expect(Categorical.paramSpecs(ctxOf(2, 3, [3, 2, 5]))[0]!.shape).toEqual([2, 3, 5]);
    expect(Gamma.variants).toEqual([]);
    expect(Gamma.multivariate).toBe(false);
  });

  it('logDensity sums the univariate terms; NaN cells contribute 0', () => {
    const ctx = ctxOf(2, 3);
    const p = { shape: Float64Array.from([1, 2, 3, 4, 5, 6]), rate: Float64Array.from([1, 0.5, 2, 1, 3, 0.2]) };
    const x = Float64Array.from([0.5, 1.5, 2.5, 0.7, NaN, 3.1, NaN, NaN, NaN]);
    const out = new Float64Array(6);
    Gamma.logDensity(p, ctx, x, 3, out);
    for (let i = 0; i < 3; i++) {
      for (let u = 0; u < 2; u++) {
        let s = 0;
        for (let j = 0; j < 3; j++) {
          const v = x[i * 3 + j]!;
          if (!Number.isNaN(v)) s += gamma.logDensity(v, [p.shape[u * 3 + j]!, p.rate[u * 3 + j]!], 0);
        }
        expectClose(out[i * 2 + u]!, s, 1e-14);
      }
    }
    expect(out[4]).toBe(0);
    // The row with a missing cell has the density of the layer over the remaining coordinates.
    const sub = Gamma.condition(p, ctx, 1, Float64Array.from([NaN, 0, NaN]));
    const o2 = new Float64Array(1);
    Gamma.logDensity(sub.params, sub.ctx, Float64Array.from([0.7, 3.1]), 1, o2);
    expectClose(out[3]!, o2[0]!, 1e-14);
  });

  it('pads categorical probs of variables with fewer levels with 0; bool columns have 2 levels', () => {
    const ctx = ctxOf(1, 2, [2, 4]);
    const r = Categorical.fromArgs({ probs: [0.25, 0.75] }, ctxOf(1, 2, [2, 0]));
    expect(r).toEqual({ values: { probs: [0.25, 0.75, 0.25, 0.75] }, errors: [] });
    const bad = Categorical.fromArgs({ probs: [0.25, 0.75] }, ctx);
    expect(bad.errors).toHaveLength(1);
    expect(bad.values['probs']).toBeUndefined();
    const p = Categorical.init(Float64Array.from([0, 3, 1, 3, 1, 2]), 3, new Float64Array(3).fill(1), ctx, new Rng(1), opts);
    expect(Array.from(p['probs']!.subarray(2, 4))).toEqual([0, 0]);
    expect(Categorical.freeParams(ctx)).toEqual({ perUnit: 1 + 3, shared: 0 });
  });

  it('mstep recovers per-unit parameters from labelled data, skipping NaN cells', () => {
    const ctx = ctxOf(2, 2);
    const truth = { rate: Float64Array.from([2, 9, 0.5, 30]) };
    const labels = Array.from({ length: 5000 }, (_, i) => i % 2);
    const x = drawLayer(Poisson, truth, ctx, labels, 7);
    const rng = new Rng(8);
    for (let i = 0; i < x.length; i++) if (rng.uniform() < 0.2) x[i] = NaN;
    const p = Poisson.mstep(x, 5000, oneHot(labels, 2), ctx, { rate: new Float64Array(4).fill(1) }, opts);
    // 2000 observed draws per cell: standard errors of 1.5-2.5%.
    truth.rate.forEach((r, k) => expect(Math.abs(p['rate']![k]! / r - 1)).toBeLessThan(0.08));
  });

  it('mstep keeps fixed roles and structural n', () => {
    const ctx = ctxOf(1, 1);
    const x = Float64Array.from([1, 2, 3, 4]);
    const w = new Float64Array(4).fill(1);
    const p = Gamma.mstep(x, 4, w, ctx, { shape: Float64Array.from([7]), rate: Float64Array.from([1]) }, { regCovar: 1e-6, fixed: new Set(['shape']) });
    expect(p['shape']![0]).toBe(7);
    expectClose(p['rate']![0]!, 7 / 2.5, 1e-12);
    const B = factorized(binomial);
    const q = B.mstep(x, 4, w, ctx, { n: Float64Array.from([10]), p: Float64Array.from([0.5]) }, opts);
    expect(q['n']![0]).toBe(10);
    expectClose(q['p']![0]!, 0.25, 1e-12);
    expect(B.freeParams(ctxOf(1, 3))).toEqual({ perUnit: 3, shared: 0 });
    expect(B.init(x, 4, w, ctx, new Rng(1), opts)['n']![0]).toBe(4);
  });

  it('init never degenerates: zero counts, empty units, unseen levels', () => {
    const ctx = ctxOf(2, 1);
    const x = Float64Array.from([0, 0, 0, 5, 7]);
    const resp = Float64Array.from([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]); // unit 1 gets nothing
    const p = Poisson.init(x, 5, resp, ctx, new Rng(1), opts);
    expect(p['rate']![0]).toBeCloseTo(12 / 5, 12);
    expect(p['rate']![0]).toBeGreaterThan(0);
    const zeros = Poisson.init(Float64Array.from([0, 0]), 2, Float64Array.from([1, 1]), ctxOf(1, 1), new Rng(1), opts);
    expect(zeros['rate']![0]).toBeGreaterThan(0);
    // The empty unit starts from the whole column.
    expect(p['rate']![1]).toBeCloseTo(12 / 5, 12);
    const c = Categorical.init(Float64Array.from([0, 0, 1]), 3, Float64Array.from([1, 1, 1]), ctxOf(1, 1, [3]), new Rng(1), opts);
    expect(c['probs']![2]).toBeGreaterThan(0);
    expectClose(c['probs']!.reduce((a, b) => a + b, 0), 1, 1e-12);
  });

  it('gradLogDensity matches finite differences of the weighted layer log-density', () => {
    const T = factorized(studentT);
    const ctx = ctxOf(2, 2);
    const four = (lo: number, hi: number): fc.Arbitrary<number[]> => fc.array(real(lo, hi), { minLength: 4, maxLength: 4 });
    const arb = fc.record({
      df: four(0.5, 20),
      loc: four(-2, 2),
      scale: four(0.3, 3),
      x: fc.array(fc.oneof(real(-5, 5), fc.constant(NaN)), { minLength: 6, maxLength: 6 }),
      coef: fc.array(real(-1, 1), { minLength: 6, maxLength: 6 }),
    });
    const roles = ['df', 'loc', 'scale'];
    fc.assert(
      fc.property(arb, ({ df, loc, scale, x, coef }) => {
        const p: LayerParams = { df: Float64Array.from(df), loc: Float64Array.from(loc), scale: Float64Array.from(scale) };
        const xs = Float64Array.from(x);
        const cs = Float64Array.from(coef);
        const f = (q: LayerParams): number => {
          const out = new Float64Array(6);
          T.logDensity(q, ctx, xs, 3, out);
          return out.reduce((s, v, k) => s + cs[k]! * v, 0);
        };
        const g: LayerParams = Object.fromEntries(roles.map((r) => [r, new Float64Array(4)]));
        T.gradLogDensity(p, ctx, xs, 3, cs, g);
        for (const role of roles) {
          for (let k = 0; k < 4; k++) {
            const h = 1e-6;
            const up: LayerParams = Object.fromEntries(roles.map((r) => [r, p[r]!.slice()]));
            const dn: LayerParams = Object.fromEntries(roles.map((r) => [r, p[r]!.slice()]));
            up[role]![k] += h;
            dn[role]![k] -= h;
            expectClose(g[role]![k]!, (f(up) - f(dn)) / (2 * h), 1e-5);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('condition returns the marginal layer of the free coordinates (and drops marginalized ones)', () => {
    const ctx = ctxOf(2, 3, [3, 2, 4]);
    const probs = Float64Array.from({ length: 2 * 3 * 4 }, (_, k) => k + 1);
    const r = Categorical.condition({ probs }, ctx, 1, Float64Array.from([NaN, 1, NaN]), [false, false, true]);
    expect(r.ctx).toEqual({ dims: 1, units: 1, variant: '', levels: [3] });
    expect(Array.from(r.params['probs']!)).toEqual([13, 14, 15]);
    const full = Categorical.condition({ probs }, ctx, 0, Float64Array.from([NaN, NaN, NaN]));
    // Entries beyond a variable's own levels come back as padding zeros.
    expect(Array.from(full.params['probs']!)).toEqual([1, 2, 3, 0, 5, 6, 0, 0, 9, 10, 11, 12]);
  });

  it('cdf exists for one variable only', () => {
    const p = { shape: Float64Array.from([2, 3]), rate: Float64Array.from([1, 2]) };
    expectClose(Gamma.cdf!(p, ctxOf(2, 1), 1, 1.2), gamma.cdf!(1.2, [3, 2], 0), 1e-15);
    expect(() => Gamma.cdf!(p, ctxOf(1, 2), 0, 1)).toThrow(/one variable/);
    expect(Categorical.cdf).toBeUndefined();
  });

  it('mean, variance, mode and sample per variable', () => {
    const ctx = ctxOf(1, 2);
    const p = { rate: Float64Array.from([3, 0.5]) };
    expect(Array.from(Poisson.mean(p, ctx, 0))).toEqual([3, 0.5]);
    expect(Array.from(Poisson.variance(p, ctx, 0))).toEqual([3, 0.5]);
    expect(Array.from(Poisson.mode(p, ctx, 0))).toEqual([3, 0]);
    const out = new Float64Array(2);
    Poisson.sample(p, ctx, 0, new Rng(3), out);
    expect(out.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
  });
});
