// Sufficient statistics (LeafFamily.newStats) against the M-step: accumulating the rows in
// random batches and finalizing gives the parameters mstep gives on all rows at once, for the
// Normal variants (with and without the wasm kernels, with missing cells, fixed roles,
// empty units) and the factorized families with closed-form fits; families whose M-step needs
// the raw rows have no statistics.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getDistribution } from '../../../stdlib/distributions/index.js';
import type { EMOptions, LayerContext, LayerParams, LeafFamily } from '../../../stdlib/distributions/types.js';
import { registerNormalKernels } from '../../../stdlib/distributions/normal-kernels.js';
import { gaussianKernels } from '../../../runtime/kernels/gaussian-kernels.js';
import { Rng } from '../../../stdlib/random.js';

afterAll(() => registerNormalKernels(gaussianKernels));

function close(a: number, b: number, rel: number): boolean {
  if (Object.is(a, b) || a === b) return true;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));
}

function expectParamsClose(got: LayerParams, want: LayerParams, rel: number, what: string): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  for (const role of Object.keys(want)) {
    const g = got[role]!;
    const w = want[role]!;
    expect(g.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) if (!close(g[i]!, w[i]!, rel)) expect.fail(`${what} ${role}[${i}]: ${g[i]} != ${w[i]}`);
  }
}

/** Accumulates rows [0, n) in the batches given by the sorted cut points, then finalizes. */
function viaStats(fam: LeafFamily, ctx: LayerContext, prev: LayerParams, opts: EMOptions, x: Float64Array, n: number, resp: Float64Array, cuts: number[]): LayerParams {
  const s = fam.newStats!(ctx, prev, opts)!;
  const D = ctx.dims;
  const K = ctx.units;
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < n).sort((a, b) => a - b), n];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const lo = bounds[b]!;
    const hi = bounds[b + 1]!;
    // Copies, as a streaming reader hands out fresh batches.
    s.accumulate(x.slice(lo * D, hi * D), hi - lo, resp.slice(lo * K, hi * K));
  }
  return s.finalize();
}

interface Data {
  x: Float64Array;
  resp: Float64Array;
}

function normalCase(seed: number, n: number, D: number, K: number, missing: number, emptyUnit: boolean): Data & { prev: LayerParams; ctxs: Record<string, LayerContext> } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * D);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) x[i * D + d] = rng.uniform() < missing ? NaN : 3 * rng.normal() + d + (i % 3);
  const resp = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let u = 0; u < K; u++) resp[i * K + u] = emptyUnit && u === K - 1 ? 0 : rng.uniform() < 0.1 ? 0 : rng.uniform() * 2;
  const mean = Float64Array.from({ length: K * D }, () => rng.normal());
  const ctxs: Record<string, LayerContext> = {};
  for (const v of ['full', 'diag', 'spherical', 'tied']) ctxs[v] = { dims: D, units: K, variant: v, levels: new Array(D).fill(0) };
  // An SPD covariance per unit (A A^T + I), diagonals for diag/spherical.
  const cov = new Float64Array(K * D * D);
  for (let u = 0; u < K; u++) {
    const a = Float64Array.from({ length: D * D }, () => 0.5 * rng.normal());
    for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) {
      let s = r === c ? 1 : 0;
      for (let k = 0; k < D; k++) s += a[r * D + k]! * a[c * D + k]!;
      cov[u * D * D + r * D + c] = s;
    }
  }
  const vr = Float64Array.from({ length: K * D }, () => 0.5 + rng.uniform());
  return { x, resp, prev: { mean, cov, var: vr, sph: Float64Array.from({ length: K }, () => 0.5 + rng.uniform()), tied: cov.slice(0, D * D) }, ctxs };
}

function prevFor(variant: string, p: LayerParams): LayerParams {
  switch (variant) {
    case 'diag':
      return { mean: p['mean']!, var: p['var']! };
    case 'spherical':
      return { mean: p['mean']!, var: p['sph']! };
    case 'tied':
      return { mean: p['mean']!, cov: p['tied']! };
    default:
      return { mean: p['mean']!, cov: p['cov']! };
  }
}

describe('Normal sufficient statistics', () => {
  const normal = getDistribution('Normal')!;
  for (const kernels of [true, false]) {
    for (const variant of ['full', 'diag', 'spherical', 'tied']) {
      it(`${variant}, ${kernels ? 'wasm kernels' : 'reference loops'}: batches + finalize == mstep`, () => {
        registerNormalKernels(kernels ? gaussianKernels : undefined);
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 1e6 }),
            fc.integer({ min: 1, max: 60 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 1, max: 4 }),
            fc.constantFrom(0, 0, 0.15),
            fc.boolean(),
            fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 6 }),
            fc.constantFrom('none', 'mean', 'cov'),
            fc.constantFrom(0, 1e-6, 0.1),
            (seed, n, D, K, missing, emptyUnit, cuts, fixedRole, reg) => {
              const c = normalCase(seed, n, D, K, missing, emptyUnit);
              const ctx = c.ctxs[variant]!;
              const prev = prevFor(variant, c.prev);
              const covRole = variant === 'diag' || variant === 'spherical' ? 'var' : 'cov';
              const fixed = new Set(fixedRole === 'none' ? [] : [fixedRole === 'mean' ? 'mean' : covRole]);
              const opts: EMOptions = { regCovar: reg, fixed };
              const want = normal.mstep(c.x, n, c.resp, ctx, prev, opts);
              const got = viaStats(normal, ctx, prev, opts, c.x, n, c.resp, cuts);
              expectParamsClose(got, want, 1e-10, `${variant} n=${n} D=${D} K=${K}`);
            },
          ),
          { numRuns: 60 },
        );
        registerNormalKernels(gaussianKernels);
      });
    }
  }

  it('many small batches of a large, offset data set stay accurate (pairwise merges)', () => {
    const n = 20000;
    const D = 3;
    const K = 2;
    const rng = new Rng(7);
    const x = Float64Array.from({ length: n * D }, () => 1e4 + rng.normal());
    const resp = Float64Array.from({ length: n * K }, () => rng.uniform());
    const ctx: LayerContext = { dims: D, units: K, variant: 'diag', levels: [0, 0, 0] };
    const prev = { mean: new Float64Array(K * D), var: new Float64Array(K * D).fill(1) };
    const opts = { regCovar: 1e-6, fixed: new Set<string>() };
    const cuts = Array.from({ length: 199 }, (_, b) => (b + 1) * 100);
    expectParamsClose(viaStats(getDistribution('Normal')!, ctx, prev, opts, x, n, resp, cuts), getDistribution('Normal')!.mstep(x, n, resp, ctx, prev, opts), 1e-10, 'offset');
  });
});

describe('factorized sufficient statistics', () => {
  const gen: Record<string, { kind: 'real' | 'int' | 'categorical'; value: (rng: Rng, levels: number) => number; params: (rng: Rng, K: number, D: number, L: number) => LayerParams }> = {
    Bernoulli: { kind: 'int', value: (r) => (r.uniform() < 0.4 ? 1 : 0), params: (r, K, D) => ({ p: Float64Array.from({ length: K * D }, () => 0.1 + 0.8 * r.uniform()) }) },
    Poisson: { kind: 'int', value: (r) => r.poisson(3), params: (r, K, D) => ({ rate: Float64Array.from({ length: K * D }, () => 0.5 + 4 * r.uniform()) }) },
    Exponential: { kind: 'real', value: (r) => -Math.log(r.uniformOpen()) * 2, params: (r, K, D) => ({ rate: Float64Array.from({ length: K * D }, () => 0.5 + r.uniform()) }) },
    Binomial: {
      kind: 'int',
      value: (r) => r.binomial(8, 0.3),
      params: (r, K, D) => ({ n: new Float64Array(K * D).fill(8), p: Float64Array.from({ length: K * D }, () => 0.1 + 0.8 * r.uniform()) }),
    },
    Categorical: {
      kind: 'categorical',
      value: (r, L) => r.int(L),
      params: (r, K, D, L) => {
        const probs = new Float64Array(K * D * L);
        for (let k = 0; k < K * D; k++) for (let l = 0; l < L; l++) probs[k * L + l] = 1 / L;
        return { probs };
      },
    },
  };
  for (const [name, g] of Object.entries(gen)) {
    it(`${name}: batches + finalize == mstep`, () => {
      const fam = getDistribution(name)!;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1e6 }),
          fc.integer({ min: 1, max: 80 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 6 }),
          fc.constantFrom(0, 0.5),
          fc.boolean(),
          fc.boolean(),
          (seed, n, D, K, cuts, smoothing, missing, emptyUnit) => {
            const rng = new Rng(seed);
            const L = 3;
            const ctx: LayerContext = { dims: D, units: K, variant: '', levels: new Array(D).fill(g.kind === 'categorical' ? L : 0) };
            const x = Float64Array.from({ length: n * D }, () => (missing && rng.uniform() < 0.2 ? NaN : g.value(rng, L)));
            const resp = new Float64Array(n * K);
            for (let i = 0; i < n; i++) for (let u = 0; u < K; u++) resp[i * K + u] = emptyUnit && u === 0 ? 0 : rng.uniform();
            const prev = g.params(rng, K, D, L);
            const opts: EMOptions = { regCovar: 1e-6, fixed: new Set(), smoothing };
            // Both M-step paths: the table/count fast path and the per-element reference.
            const want = fam.mstep(x, n, resp, ctx, prev, opts);
            const got = viaStats(fam, ctx, prev, opts, x, n, resp, cuts);
            expectParamsClose(got, want, 1e-10, name);
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  it('families whose M-step needs the raw rows have no statistics', () => {
    for (const name of ['StudentT', 'Gamma', 'Beta', 'Laplace', 'LogNormal']) {
      const fam = getDistribution(name)!;
      const ctx: LayerContext = { dims: 1, units: 1, variant: '', levels: [0] };
      expect(fam.newStats?.(ctx, {}, { regCovar: 1e-6, fixed: new Set() })).toBeUndefined();
    }
  });
});
