// The table/count fast path of discrete factorized layers (discrete-fast.ts) against the
// per-element reference loops of factorized.ts (useDiscreteFastPath(false)): log-densities,
// M-steps (init and update, smoothing, fixed roles) and gradients on random parameters and
// data with missing cells and values outside the tabulated levels.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { factorized } from '../../../stdlib/distributions/factorized.js';
import { bernoulli } from '../../../stdlib/distributions/bernoulli.js';
import { categorical } from '../../../stdlib/distributions/categorical.js';
import { binomial } from '../../../stdlib/distributions/binomial.js';
import { poisson } from '../../../stdlib/distributions/poisson.js';
import { isTabulated, useDiscreteFastPath } from '../../../stdlib/distributions/discrete-fast.js';
import type { LayerContext, LayerParams, LeafFamily, UnivariateDist } from '../../../stdlib/distributions/types.js';
import { Rng } from '../../../stdlib/random.js';

const FAMILIES: Record<string, { dist: UnivariateDist; fam: LeafFamily }> = Object.fromEntries(
  [bernoulli, categorical, binomial, poisson].map((d) => [d.name, { dist: d, fam: factorized(d) }]),
);

/** a and b agree to rel (relative, absolute near 0); equal infinities and NaNs agree. */
function close(a: number, b: number, rel: number): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}

function expectAllClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!close(got[i]!, want[i]!, rel)) expect.fail(`${what}[${i}]: ${got[i]} != ${want[i]}`);
}

function expectParamsClose(got: LayerParams, want: LayerParams, rel: number, what: string): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const role of Object.keys(want)) expectAllClose(got[role]!, want[role]!, rel, `${what} ${role}`);
}

interface Case {
  name: string;
  ctx: LayerContext;
  params: LayerParams;
  x: Float64Array;
  n: number;
  resp: Float64Array;
}

/** Random valid parameters and data for a layer of `family`; some cells missing, some outside the levels. */
function makeCase(name: string, seed: number, units: number, dims: number, n: number, missing: number, odd: number, boolCols: boolean): Case {
  const rng = new Rng(seed);
  const levels = Array.from({ length: dims }, () => (name === 'Categorical' ? (boolCols && rng.uniform() < 0.4 ? 0 : 2 + Math.floor(rng.uniform() * 4)) : 0));
  const ctx: LayerContext = { units, dims, variant: '', levels };
  const lvOf = (j: number): number => Math.max(levels[j]!, 0) || 2;
  const L = Math.max(1, ...levels.map((_, j) => lvOf(j)));
  const params: LayerParams = {};
  const binN = new Float64Array(units * dims);
  if (name === 'Bernoulli') params['p'] = Float64Array.from({ length: units * dims }, () => 0.01 + 0.98 * rng.uniform());
  if (name === 'Binomial') {
    for (let k = 0; k < binN.length; k++) binN[k] = 1 + Math.floor(rng.uniform() * 8);
    params['n'] = binN;
    params['p'] = Float64Array.from({ length: units * dims }, () => 0.02 + 0.96 * rng.uniform());
  }
  if (name === 'Poisson') params['rate'] = Float64Array.from({ length: units * dims }, () => 0.1 + 8 * rng.uniform());
  if (name === 'Categorical') {
    const probs = new Float64Array(units * dims * L);
    for (let u = 0; u < units; u++) {
      for (let j = 0; j < dims; j++) {
        let t = 0;
        for (let l = 0; l < lvOf(j); l++) t += probs[(u * dims + j) * L + l] = 0.05 + rng.uniform();
        for (let l = 0; l < lvOf(j); l++) probs[(u * dims + j) * L + l] /= t;
      }
    }
    params['probs'] = probs;
  }
  const x = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dims; j++) {
      let v: number;
      if (name === 'Bernoulli') v = rng.uniform() < 0.4 ? 1 : 0;
      else if (name === 'Categorical') v = Math.floor(rng.uniform() * lvOf(j));
      else if (name === 'Binomial') v = Math.floor(rng.uniform() * 9);
      else v = Math.floor(rng.uniform() * 14);
      if (rng.uniform() < odd) v = [-1, 0.5, 2, 7, 1e7, Infinity][Math.floor(rng.uniform() * 6)]!;
      if (rng.uniform() < missing) v = NaN;
      x[i * dims + j] = v;
    }
  }
  // Responsibilities: some zero, one unit (when several) never reached.
  const resp = new Float64Array(n * units);
  for (let k = 0; k < resp.length; k++) resp[k] = rng.uniform() < 0.2 ? 0 : rng.uniform() * 3;
  if (units > 1) for (let i = 0; i < n; i++) resp[i * units + units - 1] = 0;
  return { name, ctx, params, x, n, resp };
}

/** Runs f with the fast path on, then off (the reference). */
function both<T>(f: () => T): { fast: T; ref: T } {
  useDiscreteFastPath(true);
  const fast = f();
  useDiscreteFastPath(false);
  const ref = f();
  useDiscreteFastPath(true);
  return { fast, ref };
}

const arb = fc.record({
  name: fc.constantFrom('Bernoulli', 'Categorical', 'Binomial', 'Poisson'),
  seed: fc.integer({ min: 0, max: 1e9 }),
  units: fc.integer({ min: 1, max: 5 }),
  dims: fc.integer({ min: 1, max: 4 }),
  n: fc.integer({ min: 0, max: 60 }),
  missing: fc.constantFrom(0, 0.15, 0.9),
  odd: fc.constantFrom(0, 0, 0.05),
  boolCols: fc.boolean(),
  smoothing: fc.constantFrom(0, 0, 0.01, 1),
  fixMask: fc.integer({ min: 0, max: 3 }),
});

describe('discrete factorized fast path', () => {
  afterEach(() => useDiscreteFastPath(true));

  it('covers Bernoulli, Categorical, Binomial and Poisson only', () => {
    expect(['Bernoulli', 'Categorical', 'Binomial', 'Poisson'].every((k) => isTabulated(FAMILIES[k]!.dist))).toBe(true);
  });

  it('logDensity equals the per-element reference (missing cells contribute 0)', () => {
    fc.assert(
      fc.property(arb, ({ name, seed, units, dims, n, missing, odd, boolCols }) => {
        const c = makeCase(name, seed, units, dims, n, missing, odd, boolCols);
        const fam = FAMILIES[name]!.fam;
        const { fast, ref } = both(() => {
          const out = new Float64Array(n * units).fill(123);
          fam.logDensity(c.params, c.ctx, c.x, n, out);
          return out;
        });
        expectAllClose(fast, ref, 1e-12, `${name} logDensity`);
      }),
      { numRuns: 300 },
    );
  });

  it('init and mstep equal the reference (smoothing, fixed and structural roles, empty units)', () => {
    fc.assert(
      fc.property(arb, ({ name, seed, units, dims, n, missing, odd, boolCols, smoothing, fixMask }) => {
        const c = makeCase(name, seed, units, dims, n, missing, odd, boolCols);
        const fam = FAMILIES[name]!.fam;
        const roles = FAMILIES[name]!.dist.params.map((r) => r.role);
        const fixed = new Set(roles.filter((_, k) => (fixMask >> k) & 1));
        const opts = { regCovar: 1e-6, fixed, smoothing };
        const init = both(() => fam.init(c.x, n, c.resp, c.ctx, new Rng(1), { regCovar: 1e-6, fixed: new Set<string>(), smoothing }));
        expectParamsClose(init.fast, init.ref, 1e-12, `${name} init`);
        const step = both(() => fam.mstep(c.x, n, c.resp, c.ctx, c.params, opts));
        expectParamsClose(step.fast, step.ref, 1e-12, `${name} mstep`);
      }),
      { numRuns: 300 },
    );
  });

  it('gradLogDensity equals the reference up to summation order', () => {
    fc.assert(
      fc.property(arb, ({ name, seed, units, dims, n, missing, odd, boolCols }) => {
        const c = makeCase(name, seed, units, dims, n, missing, odd, boolCols);
        const fam = FAMILIES[name]!.fam;
        const { fast, ref } = both(() => {
          const grad: LayerParams = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, new Float64Array(v.length).fill(0.5)]));
          fam.gradLogDensity(c.params, c.ctx, c.x, n, c.resp, grad);
          return grad;
        });
        expectParamsClose(fast, ref, 1e-11, `${name} grad`);
      }),
      { numRuns: 300 },
    );
  });

  it('a one-unit, one-variable Bernoulli layer uses log p and log(1 - p) per row', () => {
    const fam = FAMILIES['Bernoulli']!.fam;
    const out = new Float64Array(4);
    fam.logDensity({ p: Float64Array.of(0.3) }, { units: 1, dims: 1, variant: '', levels: [0] }, Float64Array.of(1, 0, NaN, 3), 4, out);
    expect(Array.from(out)).toEqual([Math.log(0.3), Math.log1p(-0.3), 0, -Infinity]);
  });
});
