// The fused diagonal-GMM E-step (runtime/learners/gmm-fused.ts, kernels/gmm-diag-*.ts) against
// the reference it replaces (forward/backward in evaluate.ts) and against statistics computed
// by plain loops here: per-row log-likelihoods to 1e-12 relative, statistics and M-step results
// to 1e-10, on one and several threads, with row weights; declines for what it does not handle.
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import { backward, forward, type EdgeCounts } from '../../runtime/evaluate.js';
import { fitEM } from '../../runtime/learners/em.js';
import { fusedGmm, setFusedGmmThreads, useFusedGmm } from '../../runtime/learners/gmm-fused.js';
import { gmmLastThreads, MIN_ROWS_PER_THREAD, warmGmmThreads } from '../../runtime/kernels/gmm-diag-engine.js';
import { slotRows } from '../../runtime/kernels/gmm-diag-threads.js';
import { ModelState, gather } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

function gmm(K: number, D: number, variant: string): ModelState {
  const { program } = compile(`model G = mixture(k = ${K}) of Normal(${variant})\n`, '/tmp/gmm-fused.pmix');
  const vars = Array.from({ length: D }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' as const } }));
  const { graph } = lowerModel(program!, 'G', vars);
  return new ModelState(graph!);
}

/** Random weights, means and variances; rows drawn around the means (spread: how much the components overlap). */
function setup(seed: number, K: number, D: number, variant: string, n: number, spread = 4): { state: ModelState; x: Float64Array; rw: Float64Array } {
  const rng = new Rng(seed);
  const state = gmm(K, D, variant);
  const layer = [...state.layers.values()][0]!;
  const mixing = state.nodes.find((nd) => nd.kind === 'mixing');
  if (mixing && mixing.kind === 'mixing') {
    const w = state.values.get(mixing.weights)!;
    for (let k = 0; k < K; k++) w[k] = 0.2 + rng.uniform();
    const tot = w.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) w[k] = w[k]! / tot;
  }
  const mean = layer.params['mean']!;
  for (let i = 0; i < mean.length; i++) mean[i] = spread * rng.normal() + 10;
  const v = layer.params['var']!;
  for (let i = 0; i < v.length; i++) v[i] = 0.3 + rng.uniform();
  const x = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.uniform() * K);
    for (let d = 0; d < D; d++) x[i * D + d] = mean[k * D + d]! + rng.normal();
  }
  const rw = Float64Array.from({ length: n }, (_, i) => [1, 0.5, 2, 0][i % 4]!);
  return { state, x, rw };
}

/** The reference E-step: row log-likelihoods, edge counts, and the Normal statistics by plain loops over resp = flows x weights. */
function reference(state: ModelState, x: Float64Array, n: number, rw: Float64Array): { ll: Float64Array; counts: Float64Array; nk: Float64Array; mean: Float64Array; scatter: Float64Array } {
  const vals = forward(state, x, n);
  const counts: EdgeCounts = new Map();
  const flows = backward(state, vals, n, rw, counts);
  const input = state.nodes.find((nd) => nd.kind === 'input')!;
  const K = input.units;
  const D = input.scope.length;
  const f = flows.get(input.id)!;
  const nk = new Float64Array(K);
  const mean = new Float64Array(K * D);
  const scatter = new Float64Array(K * D);
  for (let u = 0; u < K; u++) {
    for (let i = 0; i < n; i++) {
      const r = f[i * K + u]! * rw[i]!;
      nk[u] += r;
      for (let d = 0; d < D; d++) mean[u * D + d] += r * x[i * D + d]!;
    }
    for (let d = 0; d < D; d++) mean[u * D + d] /= nk[u]!;
    for (let i = 0; i < n; i++) {
      const r = f[i * K + u]! * rw[i]!;
      for (let d = 0; d < D; d++) scatter[u * D + d] += r * (x[i * D + d]! - mean[u * D + d]!) ** 2;
    }
  }
  return { ll: vals.get(state.graph.root)!.slice(), counts: [...counts.values()][0]!, nk, mean, scatter };
}

function fused(state: ModelState, x: Float64Array, n: number, rw: Float64Array) {
  const input = state.nodes.find((nd) => nd.kind === 'input')!;
  const f = fusedGmm(state, new Map([[input.id, gather(x, n, state.graph.vars.length, input.scope)]]), n, rw);
  expect(f).not.toBeNull();
  const e = f!.estep();
  expect(e).not.toBeNull();
  return e!;
}

/** max |a - b| / max(|b|, floor) over both arrays. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(floor, Math.abs(b[i]!)));
  return e;
}

/** Statistics compare relative to the unit's scale: its count for nk, its spread for means, its scatter for the scatter. */
function expectStats(got: { nk: Float64Array; mean: Float64Array; scatter: Float64Array }, want: ReturnType<typeof reference>, K: number, D: number, tol: number): void {
  for (let u = 0; u < K; u++) {
    if (!(want.nk[u]! > 1e-8)) continue; // a unit without mass keeps its parameters either way
    expect(Math.abs(got.nk[u]! - want.nk[u]!)).toBeLessThanOrEqual(tol * want.nk[u]!);
    for (let d = 0; d < D; d++) {
      const i = u * D + d;
      const sd = Math.sqrt(want.scatter[i]! / want.nk[u]!);
      expect(Math.abs(got.mean[i]! - want.mean[i]!)).toBeLessThanOrEqual(tol * (Math.abs(want.mean[i]!) + sd));
      expect(Math.abs(got.scatter[i]! - want.scatter[i]!)).toBeLessThanOrEqual(tol * want.scatter[i]! + 1e-14 * want.nk[u]! * (want.mean[i]! ** 2 + 1));
    }
  }
}

describe('fused diagonal GMM E-step', () => {
  let ready = 0;
  beforeAll(async () => {
    ready = await warmGmmThreads(3);
  });
  afterEach(() => {
    setFusedGmmThreads(undefined);
    useFusedGmm(true);
  });

  it('matches the reference passes: row log-likelihoods to 1e-12, counts and statistics to 1e-10', () => {
    const arb = fc.record({
      seed: fc.integer({ min: 0, max: 1e9 }),
      K: fc.integer({ min: 2, max: 9 }),
      D: fc.integer({ min: 1, max: 7 }),
      variant: fc.constantFrom('diag', 'spherical'),
      n: fc.integer({ min: 1, max: 600 }),
      spread: fc.constantFrom(0.5, 4, 40),
    });
    fc.assert(
      fc.property(arb, ({ seed, K, D, variant, n, spread }) => {
        const { state, x, rw } = setup(seed, K, D, variant, n, spread);
        setFusedGmmThreads(1);
        const got = fused(state, x, n, rw);
        const want = reference(state, x, n, rw);
        expect(maxRel(got.rowLL, want.ll)).toBeLessThan(1e-12);
        for (let u = 0; u < K; u++) expect(Math.abs(got.counts[u]! - want.counts[u]!)).toBeLessThanOrEqual(1e-10 * Math.max(want.counts[u]!, 1e-300));
        expectStats(got.stats, want, K, D, 1e-10);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same statistics on 1, 2 and 3 threads (to rounding), and identical results for a given thread count', () => {
    expect(ready).toBe(2); // the worker source runs (Node has worker_threads and shared memory)
    const n = 3 * MIN_ROWS_PER_THREAD + 77;
    const { state, x, rw } = setup(5, 32, 16, 'diag', n, 3);
    const want = reference(state, x, n, rw);
    const runs = [1, 2, 3, 2, 3].map((t) => {
      setFusedGmmThreads(t);
      return fused(state, x, n, rw);
    });
    for (const r of runs) {
      expect(maxRel(r.rowLL, want.ll)).toBeLessThan(1e-12);
      expectStats(r.stats, want, 32, 16, 1e-10);
      // Row log-likelihoods do not depend on the split at all (every row is computed alike).
      expect(r.rowLL).toEqual(runs[0]!.rowLL);
    }
    expect(runs[3]!.stats).toEqual(runs[1]!.stats);
    expect(runs[4]!.stats).toEqual(runs[2]!.stats);
    expect(gmmLastThreads()).toBeGreaterThanOrEqual(1);
  });

  it('splits rows into whole blocks covering every row once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 16 }), (n, total) => {
        let next = 0;
        for (let s = 0; s < total; s++) {
          const [i0, i1] = slotRows(n, 128, s, total);
          expect(i0).toBe(next);
          expect(i1).toBeGreaterThanOrEqual(i0);
          if (i1 < n) expect(i1 % 128).toBe(0);
          next = i1;
        }
        expect(next).toBe(n);
      }),
    );
  });

  it('EM fits follow the reference trace and parameters (row weights, 1 and 2 threads)', () => {
    for (const [variant, D, K, n, threads] of [['diag', 4, 3, 700, 1], ['spherical', 2, 5, 500, 1], ['diag', 16, 32, 2 * MIN_ROWS_PER_THREAD + 9, 2]] as const) {
      const fit = (on: boolean): { trace: readonly number[]; values: Float64Array[] } => {
        const { state, x, rw } = setup(11, K, D, variant, n, 2);
        useFusedGmm(on);
        setFusedGmmThreads(threads);
        const settings = { method: 'em' as const, maxIter: 6, tol: 0, restarts: 1, init: 'random' as const, regCovar: 1e-6, seed: 1 };
        const r = fitEM(new ModelState(state.toGraph()), x, n, rw, settings);
        return { trace: r.result.trace, values: [...r.state.values.values()] };
      };
      const want = fit(false);
      const got = fit(true);
      expect(got.trace.length).toBe(want.trace.length);
      got.trace.forEach((ll, i) => expect(Math.abs(ll - want.trace[i]!)).toBeLessThan(1e-11 * Math.abs(want.trace[i]!)));
      got.values.forEach((v, k) => expect(maxRel(v, want.values[k]!, 1e-3)).toBeLessThan(1e-8));
    }
  });

  it('declines full and tied covariances, missing cells, negative weights and a single component', () => {
    const cases: [string, number, (x: Float64Array, rw: Float64Array) => void][] = [
      ['full', 3, () => {}],
      ['tied', 3, () => {}],
      ['diag', 3, (x) => (x[7] = NaN)],
      ['diag', 3, (_, rw) => (rw[2] = -1)],
      ['diag', 1, () => {}],
    ];
    for (const [variant, K, spoil] of cases) {
      const state = gmm(K, 2, variant);
      const x = Float64Array.from({ length: 40 }, (_, i) => i % 7);
      const rw = new Float64Array(20).fill(1);
      spoil(x, rw);
      const input = state.nodes.find((nd) => nd.kind === 'input')!;
      expect(fusedGmm(state, new Map([[input.id, x]]), 20, rw)).toBeNull();
    }
  });

  it('a fit with missing cells runs the reference path and matches it exactly', () => {
    const fit = (on: boolean): readonly number[] => {
      const { state, x, rw } = setup(3, 3, 3, 'diag', 300);
      x[5] = NaN;
      useFusedGmm(on);
      return fitEM(new ModelState(state.toGraph()), x, 300, rw, { method: 'em', maxIter: 4, tol: 0, restarts: 1, init: 'random', regCovar: 1e-6, seed: 1 }).result.trace;
    };
    expect(fit(true)).toEqual(fit(false));
  });

  it('a row of zero density gets -Infinity (em.ts then stops as on the reference path) and no mass', () => {
    const make = (): { state: ModelState; x: Float64Array; rw: Float64Array } => {
      const { state, x, rw } = setup(3, 3, 2, 'diag', 64);
      // Tiny variances: (x - mu)^2 / var overflows to Infinity for a row 1e5 away from every mean.
      const layer = [...state.layers.values()][0]!;
      layer.params['var']!.fill(1e-300);
      layer.params['mean']!.forEach((_, i) => (layer.params['mean']![i] = x[(i % 3) * 2 + (i % 2)]!));
      x[10] = 1e5;
      rw.fill(1);
      return { state, x, rw };
    };
    const { state, x, rw } = make();
    const got = fused(state, x, 64, rw);
    const want = reference(state, x, 64, rw);
    expect(want.ll[5]).toBe(-Infinity);
    expect(got.rowLL[5]).toBe(-Infinity);
    expect(maxRel(got.counts, want.counts)).toBeLessThan(1e-10);
  });
});
