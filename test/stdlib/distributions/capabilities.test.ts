// Leaf capabilities (LeafFamily hooks) give the answers the name checks they replaced gave:
// which families declare each hook, the default leaf per type, the closed-form products of
// squared circuits (against closed forms written here), the linear-Gaussian marginal, the
// collapse test and finite supports.
import { describe, expect, it } from 'vitest';
import { defaultLeafFor, distributions, getDistribution, type LayerContext, type LayerParams, type LeafFamily } from '../../../stdlib/distributions/index.js';
import type { VarType } from '../../../ir/types.js';
import { tupleLeafProblem } from '../../../circuits/squared/pair-leaves.js';
import type { InputNode } from '../../../ir/types.js';

const LOG_2PI = Math.log(2 * Math.PI);
const logN = (x: number, m: number, v: number): number => -0.5 * (LOG_2PI + Math.log(v) + ((x - m) * (x - m)) / v);
const Phi = (z: number): number => {
  // The standard normal CDF by Simpson's rule on [-12, z] (independent of stdlib/special.ts).
  const a = Math.min(z, -12);
  const n = 4000;
  const h = (z - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-0.5 * (a + i * h) ** 2);
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
};
const fam = (name: string): LeafFamily => getDistribution(name)!;
const holders = (has: (f: LeafFamily) => boolean): string[] => [...distributions].filter(([, f]) => has(f)).map(([n]) => n).sort();
const ctx = (dims: number, units: number, variant = '', levels: number[] = new Array<number>(dims).fill(0)): LayerContext => ({ dims, units, variant, levels });

describe('which families declare which capability (the old name sets)', () => {
  it('squareProduct: Normal, Bernoulli, Categorical (pair-leaves.ts tested these names)', () => {
    expect(holders((f) => f.squareProduct !== undefined)).toEqual(['Bernoulli', 'Categorical', 'Normal']);
  });
  it('linearGaussian and degeneracy: Normal only (analytic-integrals.ts, em.ts, collapse.ts tested this name)', () => {
    expect(holders((f) => f.linearGaussian !== undefined)).toEqual(['Normal']);
    expect(holders((f) => f.degeneracy !== undefined)).toEqual(['Normal']);
  });
  it('gaussianMoments: Normal only, its full and diag variants, naming roles the layer really has', () => {
    expect(holders((f) => f.gaussianMoments !== undefined)).toEqual(['Normal']);
    const g = fam('Normal').gaussianMoments!;
    expect(Object.keys(g.covariance).sort()).toEqual(['diag', 'full']);
    for (const [variant, cov] of Object.entries(g.covariance)) {
      const specs = fam('Normal').paramSpecs(ctx(3, 2, variant));
      const shape = (role: string): readonly number[] | undefined => specs.find((sp) => sp.role === role)?.shape;
      expect(shape(g.meanRole)).toEqual([2, 3]);
      expect(shape(cov.role)).toEqual(cov.layout === 'matrix' ? [2, 3, 3] : [2, 3]);
    }
  });
  it('finiteSupport: Bernoulli and Categorical (properties.ts tested these names)', () => {
    expect(holders((f) => f.finiteSupport !== undefined)).toEqual(['Bernoulli', 'Categorical']);
  });
});

describe('defaultFor: the registry answers the default leaf for a type', () => {
  const types: VarType[] = [{ kind: 'real' }, { kind: 'bool' }, { kind: 'categorical', levels: ['a', 'b'] }, { kind: 'int' }];
  it('is the old table of lower-circuit.ts (Normal(diag), Bernoulli, Categorical, Poisson)', () => {
    expect(types.map((t) => defaultLeafFor(t))).toEqual([{ name: 'Normal', variant: 'diag' }, { name: 'Bernoulli' }, { name: 'Categorical' }, { name: 'Poisson' }]);
  });
  it('each type has exactly one default, and the default accepts the type', () => {
    for (const t of types) {
      expect(holders((f) => f.defaultFor?.types.includes(t.kind) ?? false)).toHaveLength(1);
      expect(fam(defaultLeafFor(t)!.name).accepts(t)).toBe(true);
    }
  });
});

describe('squareProduct: closed-form products', () => {
  const node = (scope: number[]): InputNode => ({ kind: 'input', id: 'n', dist: 'x', params: {}, scope, units: 1 });
  const shape = (name: string, c: LayerContext, scope = [0, 1].slice(0, c.dims)) => ({ node: node(scope), family: fam(name), ctx: c });

  it('refuses what has no closed form, with the same words (Normal(full) and tied have one since issue 22)', () => {
    expect(tupleLeafProblem([shape('Normal', ctx(2, 1, 'full')), shape('Normal', ctx(2, 1, 'diag'))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Normal', ctx(2, 1, 'tied')), shape('Normal', ctx(2, 1, 'tied'))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Normal', ctx(2, 1, '')), shape('Normal', ctx(2, 1, 'diag'))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Normal', ctx(1, 1, 'full')), shape('Normal', ctx(1, 2, 'full'))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Normal', ctx(2, 1, 'spherical')), shape('Normal', ctx(2, 3, 'diag'))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Categorical', ctx(1, 1, '', [0])), shape('Categorical', ctx(1, 1, '', [0]))])).toBe('Categorical leaves need variables with known levels');
    expect(tupleLeafProblem([shape('Bernoulli', ctx(1, 1, '', [2])), shape('Bernoulli', ctx(1, 1, '', [2]))])).toBeUndefined();
    expect(tupleLeafProblem([shape('Poisson', ctx(1, 1)), shape('Poisson', ctx(1, 1))])).toBe(
      'Poisson leaves are not supported in squared circuits (they support Normal, Categorical and Bernoulli)',
    );
    expect(tupleLeafProblem([shape('Normal', ctx(1, 1)), shape('Poisson', ctx(1, 1))])).toMatch(/Normal and Poisson leaves over the same variables have no closed-form product/);
  });

  it('Normal(diag) x Normal(diag): observed cells multiply, a missing cell integrates to N(m1 | m2, v1 + v2), a CDF piece is closed form', () => {
    const c = ctx(2, 2, 'diag');
    const a: LayerParams = { mean: Float64Array.of(0.3, -1, 2, 0.5), var: Float64Array.of(0.7, 1.9, 0.4, 2.5) };
    const b: LayerParams = { mean: Float64Array.of(-0.2, 0.8, 1, 1.5), var: Float64Array.of(1.1, 0.6, 3, 0.9) };
    const ops = fam('Normal').squareProduct!.ops([
      { params: a, ctx: c },
      { params: b, ctx: c },
    ]);
    const xs = Float64Array.of(0.4, NaN, NaN, -0.3);
    const out = new Float64Array(2 * 4);
    ops.forward(xs, 2, undefined, out);
    for (let i = 0; i < 2; i++) {
      for (let ua = 0; ua < 2; ua++) {
        for (let ub = 0; ub < 2; ub++) {
          let want = 0;
          for (let j = 0; j < 2; j++) {
            const [ma, va, mb, vb] = [a.mean![ua * 2 + j]!, a.var![ua * 2 + j]!, b.mean![ub * 2 + j]!, b.var![ub * 2 + j]!];
            const x = xs[i * 2 + j]!;
            want += Number.isNaN(x) ? logN(ma, mb, va + vb) : logN(x, ma, va) + logN(x, mb, vb);
          }
          expect(out[i * 4 + ua * 2 + ub]).toBeCloseTo(want, 10);
        }
      }
    }
    // P(x_0 <= 0.5) piece of unit pair (0, 0): I * Phi((0.5 - mu) sqrt(P)), with the missing x_1 integrated.
    const upper = Float64Array.of(0.5);
    const one = new Float64Array(4);
    ops.forward(Float64Array.of(NaN, NaN), 1, { dim: 0, upper }, one);
    const [m1, v1, m2, v2] = [0.3, 0.7, -0.2, 1.1];
    const P = 1 / v1 + 1 / v2;
    const mu = (m1 / v1 + m2 / v2) / P;
    const want = logN(m1, m2, v1 + v2) + Math.log(Phi((0.5 - mu) * Math.sqrt(P))) + logN(-1, 0.8, 1.9 + 0.6);
    expect(one[0]).toBeCloseTo(want, 8);
  });

  it('Categorical x Categorical: level by level; a missing cell sums the products over the levels', () => {
    const c = ctx(1, 2, '', [3]);
    const a: LayerParams = { probs: Float64Array.of(0.2, 0.5, 0.3, 0.6, 0.1, 0.3) };
    const b: LayerParams = { probs: Float64Array.of(0.1, 0.1, 0.8) };
    const ops = fam('Categorical').squareProduct!.ops([
      { params: a, ctx: c },
      { params: b, ctx: ctx(1, 1, '', [3]) },
    ]);
    const out = new Float64Array(3 * 2);
    ops.forward(Float64Array.of(2, NaN, 1), 3, undefined, out);
    const pa = (u: number, k: number): number => a.probs![u * 3 + k]!;
    const pb = (k: number): number => b.probs![k]!;
    for (let u = 0; u < 2; u++) {
      expect(out[0 * 2 + u]).toBeCloseTo(Math.log(pa(u, 2) * pb(2)), 12);
      expect(out[1 * 2 + u]).toBeCloseTo(Math.log(pa(u, 0) * pb(0) + pa(u, 1) * pb(1) + pa(u, 2) * pb(2)), 12);
      expect(out[2 * 2 + u]).toBeCloseTo(Math.log(pa(u, 1) * pb(1)), 12);
    }
  });

  it('Bernoulli x Bernoulli x Bernoulli (k = 3): the level-by-level product of three', () => {
    const c = ctx(1, 1, '', [2]);
    const p = [0.2, 0.7, 0.55];
    const ops = fam('Bernoulli').squareProduct!.ops(p.map((q) => ({ params: { p: Float64Array.of(q) }, ctx: c })));
    const out = new Float64Array(3);
    ops.forward(Float64Array.of(1, 0, NaN), 3, undefined, out);
    const on = p[0]! * p[1]! * p[2]!;
    const off = (1 - p[0]!) * (1 - p[1]!) * (1 - p[2]!);
    expect([...out].map((v) => Math.exp(v))).toEqual([expect.closeTo(on, 12), expect.closeTo(off, 12), expect.closeTo(on + off, 12)]);
  });
});

describe('linearGaussian: the closed-form marginal the analytic pass writes', () => {
  const lg = fam('Normal').linearGaussian!;
  it('accepts the variants the name check accepted (none written, diag, spherical)', () => {
    expect([undefined, 'diag', 'spherical', 'full', 'tied'].map((v) => lg.accepts(v))).toEqual([true, true, true, false, false]);
    expect([lg.meanRole, lg.varianceRole]).toEqual(['mean', 'var']);
  });
  it('reads a spherical variance once and a diagonal one per variable', () => {
    expect([0, 1, 2].map((j) => lg.variance([4, 5, 6], 'spherical', j))).toEqual([4, 4, 4]);
    expect([0, 1, 2].map((j) => lg.variance([4, 5, 6], 'diag', j))).toEqual([4, 5, 6]);
    expect([0, 1, 2].map((j) => lg.variance([4], 'diag', j))).toEqual([4, 4, 4]);
  });
  it('writes Normal(diag) over one variable and Normal(full) over several, fixed and given', () => {
    const src = { line: 3, column: 7 };
    const one = lg.marginal({ id: 'n4', scope: [2], units: 1, source: src }, [1.5], [2.25]);
    expect(one.node).toEqual({ kind: 'input', id: 'n4', dist: 'Normal', variant: 'diag', params: { mean: 'n4.mean', var: 'n4.var' }, scope: [2], units: 1, source: src });
    expect(one.params).toEqual([
      { name: 'n4.mean', shape: [1, 1], param: { kind: 'identity' }, value: [1.5], fixed: true, init: 'given', source: src },
      { name: 'n4.var', shape: [1, 1], param: { kind: 'positive' }, value: [2.25], fixed: true, init: 'given', source: src },
    ]);
    expect(one.text).toBe('Normal(mean = 1.5, var = 2.25)');
    const two = lg.marginal({ id: 'n5', scope: [0, 1], units: 1 }, [0, 1], [2, 1, 1, 3]);
    expect(two.node).toEqual({ kind: 'input', id: 'n5', dist: 'Normal', variant: 'full', params: { mean: 'n5.mean', cov: 'n5.cov' }, scope: [0, 1], units: 1 });
    expect(two.params[1]).toEqual({ name: 'n5.cov', shape: [1, 2, 2], param: { kind: 'spd' }, value: [2, 1, 1, 3], fixed: true, init: 'given' });
    expect(two.text).toBe('Normal(full) over 2 variables');
  });
});

describe('degeneracy: the collapse test of collapse repair', () => {
  const deg = fam('Normal').degeneracy!;
  const dataVar = Float64Array.of(2, 3);
  it('a diagonal variance ~0 against the data is a collapse; a healthy one is not', () => {
    const c = ctx(2, 2, 'diag');
    const p: LayerParams = { mean: new Float64Array(4), var: Float64Array.of(1, 1, 1e-14, 1) };
    expect([0, 1].map((u) => deg.collapsed(p, c, u, dataVar))).toEqual([false, true]);
    expect(deg.units(c)).toBe(2);
  });
  it('a singular full covariance is a collapse; a tied layer is tested once', () => {
    const full = ctx(2, 2, 'full');
    const p: LayerParams = { mean: new Float64Array(4), cov: Float64Array.of(1, 0.5, 0.5, 1, 1, 1, 1, 1) };
    expect([0, 1].map((u) => deg.collapsed(p, full, u, dataVar))).toEqual([false, true]);
    expect(deg.units(ctx(2, 5, 'tied'))).toBe(1);
    expect(deg.collapsed({ mean: new Float64Array(2), var: Float64Array.of(1e-11) }, ctx(2, 1, 'spherical'), 0, dataVar)).toBe(false);
    expect(deg.collapsed({ mean: new Float64Array(2), var: Float64Array.of(1e-11) }, ctx(2, 1, 'spherical'), 0, Float64Array.of(1e3, 1e3))).toBe(true);
  });
});

describe('finiteSupport: the levels with positive probability', () => {
  it('Categorical: the levels with probs > 0, per variable', () => {
    const s = fam('Categorical').finiteSupport!({ probs: [0.5, 0, 0.5, 0, 1, 0] }, ctx(2, 1, '', [3, 2]));
    expect(s).toEqual([[0, 2], [1]]);
  });
  it('Bernoulli: 0 unless p = 1, 1 unless p = 0; NaN allows nothing', () => {
    const s = (p: number): readonly number[] => fam('Bernoulli').finiteSupport!({ p: [p] }, ctx(1, 1, '', [2]))![0]!;
    expect([s(0), s(1), s(0.3), s(NaN)]).toEqual([[0], [1], [0, 1], []]);
  });
  it('a missing role gives no support facts', () => {
    expect(fam('Categorical').finiteSupport!({}, ctx(1, 1, '', [2]))).toBeUndefined();
  });
});
