// The forward/backward passes and whole EM fits of Gaussian mixtures with the fused kernels on
// (wasm SIMD mixing nodes and Normal leaves) against the reference loops (kernels off), for
// every covariance variant and D = 1, on data with missing cells.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import { backward, forward, useFusedKernels, type EdgeCounts } from '../../runtime/evaluate.js';
import { fitEM } from '../../runtime/learners/em.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

function gmm(K: number, D: number, variant: string): ModelState {
  const { program } = compile(`model G = mixture(k = ${K}) of Normal(${variant})\n`, '/tmp/fused.pmix');
  const vars = Array.from({ length: D }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' as const } }));
  const { graph } = lowerModel(program!, 'G', vars);
  return new ModelState(graph!);
}

/** Random parameters (SPD covariances) and data around the means with missing cells. */
function setup(seed: number, K: number, D: number, variant: string, n: number, missing: number): { state: ModelState; x: Float64Array } {
  const rng = new Rng(seed);
  const state = gmm(K, D, variant);
  const layer = [...state.layers.values()][0]!;
  const mixing = state.nodes.find((nd) => nd.kind === 'mixing');
  const w = mixing && 'weights' in mixing ? state.values.get(mixing.weights)! : new Float64Array(K); // k = 1: no mixing node
  for (let k = 0; k < K; k++) w[k] = 0.2 + rng.uniform();
  const tot = w.reduce((a, b) => a + b, 0);
  for (let k = 0; k < K; k++) w[k] = w[k]! / tot;
  const mean = layer.params['mean']!;
  for (let i = 0; i < mean.length; i++) mean[i] = 4 * rng.normal();
  for (const role of ['var', 'cov']) {
    const a = layer.params[role];
    if (!a) continue;
    if (role === 'var') for (let i = 0; i < a.length; i++) a[i] = 0.3 + rng.uniform();
    else {
      for (let off = 0; off < a.length; off += D * D) {
        const g = Float64Array.from({ length: D * D }, () => rng.normal());
        for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) {
          let s = r === c ? 0.5 : 0;
          for (let q = 0; q < D; q++) s += (g[r * D + q]! * g[c * D + q]!) / D;
          a[off + r * D + c] = s;
        }
      }
    }
  }
  const x = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rng.uniform() * K);
    for (let d = 0; d < D; d++) x[i * D + d] = rng.uniform() < missing ? NaN : mean[k * D + d]! + rng.normal();
  }
  return { state, x };
}

function passes(state: ModelState, x: Float64Array, n: number): { vals: Float64Array[]; flows: Float64Array[]; counts: Float64Array[] } {
  const vals = forward(state, x, n);
  const counts: EdgeCounts = new Map();
  const weights = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
  const flows = backward(state, vals, n, weights, counts);
  return { vals: [...vals.values()], flows: [...flows.values()], counts: [...counts.values()] };
}

function maxRel(a: Float64Array[], b: Float64Array[]): number {
  let e = 0;
  a.forEach((arr, k) => arr.forEach((v, i) => {
    const w = b[k]![i]!;
    if (v !== w) e = Math.max(e, Math.abs(v - w) / Math.max(1, Math.abs(w)));
  }));
  return e;
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 1e9 }),
  K: fc.integer({ min: 1, max: 6 }),
  D: fc.integer({ min: 1, max: 5 }),
  variant: fc.constantFrom('full', 'diag', 'spherical', 'tied'),
  n: fc.integer({ min: 1, max: 700 }),
  missing: fc.constantFrom(0, 0.1),
});

describe('fused kernels in evaluate.ts', () => {
  afterEach(() => useFusedKernels(true));

  it('forward values, flows and edge counts match the reference loops to 1e-9', () => {
    fc.assert(
      fc.property(arb, ({ seed, K, D, variant, n, missing }) => {
        const { state, x } = setup(seed, K, D, variant, n, missing);
        useFusedKernels(false);
        const want = passes(state, x, n);
        useFusedKernels(true);
        const got = passes(state, x, n);
        expect(maxRel(got.vals, want.vals)).toBeLessThan(1e-9);
        expect(maxRel(got.flows, want.flows)).toBeLessThan(1e-9);
        expect(maxRel(got.counts, want.counts)).toBeLessThan(1e-9);
      }),
      { numRuns: 80 },
    );
  });

  it('reusing an earlier result\'s arrays gives the same values, in those arrays', () => {
    const { state, x } = setup(4, 3, 2, 'full', 300, 0.1);
    const w = new Float64Array(300).fill(1);
    const v1 = forward(state, x, 300);
    const f1 = backward(state, v1, 300, w, new Map());
    const old = { vals: forward(state, x.map((q) => q + 1), 300), flows: f1 };
    const keep = [...old.vals.values()];
    const v2 = forward(state, x, 300, old.vals);
    const f2 = backward(state, v2, 300, w, new Map(), old.flows);
    expect([...v2.values()]).toEqual([...v1.values()]);
    expect([...v2.values()].every((a, i) => a === keep[i])).toBe(true);
    // (v1's kept exps are gone by now: its flows are taken anew, equal to rounding.)
    expect(maxRel([...f2.values()], [...backward(state, v1, 300, w, new Map()).values()])).toBeLessThan(1e-12);
    expect(f2.get(state.graph.root)).toBe(f1.get(state.graph.root));
  });

  it('EM fits follow the same log-likelihood trace and parameters', () => {
    for (const [variant, D] of [['full', 3], ['diag', 4], ['spherical', 2], ['tied', 3], ['full', 1]] as const) {
      const fit = (on: boolean): { trace: readonly number[]; values: Float64Array[] } => {
        const { state, x } = setup(11, 3, D, variant, 600, 0.05);
        useFusedKernels(on);
        const settings = { method: 'em' as const, maxIter: 8, tol: 0, restarts: 1, init: 'random' as const, regCovar: 1e-6, seed: 1 };
        const r = fitEM(new ModelState(state.toGraph()), x, 600, new Float64Array(600).fill(1), settings);
        return { trace: r.result.trace, values: [...r.state.values.values()] };
      };
      const want = fit(false);
      const got = fit(true);
      got.trace.forEach((ll, i) => expect(Math.abs(ll - want.trace[i]!)).toBeLessThan(1e-9 * Math.abs(want.trace[i]!)));
      expect(maxRel(got.values, want.values)).toBeLessThan(1e-8);
    }
  });
});
