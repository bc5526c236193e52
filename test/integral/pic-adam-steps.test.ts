// A PIC's Adam fit (runtime/learners/adam.ts: the fast nets, the batcher and gradient arrays
// reused step to step, every free parameter in one array and one Adam pass) against an
// independent re-implementation of the same steps here: the per-parameter JS reference nets
// (useNetKernels(false)), fresh arrays every step, Adam written out entry by entry per
// parameter. Parameters after one step (one full batch) within 1e-10, after two epochs of
// mini-batches within 1e-9 (a simplex head's output bias has a zero gradient up to rounding, and
// Adam's normalized step turns that rounding into moves of ~1e-10); the epochs' log-likelihoods
// within 1e-9; batch sizes that leave a short last batch (its own arrays).
import { afterEach, describe, expect, it } from 'vitest';
import { compileOk } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { initializeIntegral } from '../../runtime/integral/initialize.js';
import { refreshLatent, useNetKernels } from '../../runtime/integral/latent-params.js';
import { fitAdam, gradients } from '../../runtime/learners/adam.js';
import { chainGrad, fromFree, toFree } from '../../runtime/learners/parameterization.js';
import { Rng } from '../../stdlib/random.js';

afterEach(() => useNetKernels(true));

const V = 6;
const N = 53;

function setup(body: string): { state: ModelState; x: Float64Array } {
  const names = Array.from({ length: V }, (_, i) => `b${i}`);
  const program = compileOk(`model M(${names.join(', ')}) = circuit { ${body} }`);
  const vars = names.map((name) => ({ name, type: { kind: 'bool' as const } }));
  const state = new Session(program).lower('M', vars, undefined, 'train');
  const rng = new Rng(5);
  const x = Float64Array.from({ length: N * V }, (_, i) => (rng.uniform() < 0.3 + 0.1 * (i % V) ? 1 : 0));
  initializeIntegral(state, x, N, new Float64Array(N).fill(1), 1e-6, rng);
  return { state, x };
}

/** The same epochs by hand: adamRun's shuffle (its Rng, one fork for the initialization), Adam per parameter. */
function byHand(state0: ModelState, x: Float64Array, lr: number, epochs: number, batch: number, seed: number): { state: ModelState; trace: number[] } {
  useNetKernels(false);
  const state = state0.clone();
  const rng = new Rng(seed);
  rng.fork();
  const free = [...state.values.keys()].filter((k) => !state.param(k).fixed && state.param(k).param.kind !== 'neural');
  const u = new Map(free.map((k) => [k, toFree(state.param(k), state.values.get(k)!)]));
  const m = new Map(free.map((k) => [k, new Float64Array(state.values.get(k)!.length)]));
  const v = new Map(free.map((k) => [k, new Float64Array(state.values.get(k)!.length)]));
  const order = Array.from({ length: N }, (_, i) => i);
  const trace: number[] = [];
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = N - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < N; start += batch) {
      const rows = order.slice(start, start + batch);
      const xb = new Float64Array(rows.length * V);
      rows.forEach((r, i) => xb.set(x.subarray(r * V, (r + 1) * V), i * V));
      const g = gradients(state, xb, rows.length, new Float64Array(rows.length).fill(1));
      t++;
      const rate = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (const k of free) {
        const p = state.param(k);
        const uk = u.get(k)!;
        const gk = chainGrad(p, uk, state.values.get(k)!, g.get(k)!);
        const [mk, vk] = [m.get(k)!, v.get(k)!];
        for (let i = 0; i < uk.length; i++) {
          const gi = gk[i]! / rows.length;
          mk[i] = 0.9 * mk[i]! + 0.1 * gi;
          vk[i] = 0.999 * vk[i]! + 0.001 * gi * gi;
          uk[i] = uk[i]! + (rate * mk[i]!) / (Math.sqrt(vk[i]!) + 1e-8);
        }
        fromFree(p, uk, state.values.get(k)!);
      }
      refreshLatent(state);
    }
    trace.push(logDensityRows(state, x, N).reduce((a, b) => a + b, 0) / N);
  }
  return { state, trace };
}

function expectClose(got: ModelState, want: ModelState, tol: number): void {
  for (const [k, w] of want.values) {
    const g = got.values.get(k)!;
    for (let i = 0; i < w.length; i++) if (!(Math.abs(g[i]! - w[i]!) <= tol * Math.max(1, Math.abs(w[i]!)))) expect.fail(`${k}[${i}]: ${g[i]} vs ${w[i]}`);
  }
}

describe('a PIC fit with Adam equals the steps done by hand with the reference nets', () => {
  const bodies = [
    'region random_tree(depth = 2, seed = 2)  integral gauss_legendre(points = 5)  net mlp(hidden = 6, layers = 2)  sharing composite',
    'region quad_tree(width = 3)  integral gauss_legendre(points = 4)  net mlp(hidden = 5, layers = 1, activation = tanh)  sharing none',
  ];
  for (const body of bodies) {
    for (const batch of [N, 10, 16]) {
      const tol = batch === N ? 1e-10 : 1e-9;
      it(`${body.split('  ')[0]}, batch ${batch}: parameters (${tol}) and the epochs' log-likelihoods (1e-9)`, () => {
        const { state, x } = setup(body);
        const epochs = batch === N ? 1 : 2;
        const want = byHand(state, x, 0.05, epochs, batch, 11);
        useNetKernels(true);
        const fit = fitAdam(state, x, N, new Float64Array(N).fill(1), { method: 'adam', lr: 0.05, epochs, batch, seed: 11, regCovar: 1e-6, init: 'random', warm: true });
        expectClose(fit.state, want.state, tol);
        expect(fit.result.trace.length).toBe(epochs);
        fit.result.trace.forEach((ll, e) => expect(Math.abs(ll - want.trace[e]!)).toBeLessThanOrEqual(1e-9 * Math.abs(want.trace[e]!)));
        // The fit moved the parameters: the comparison is not of two unchanged states.
        expect(Math.max(...[...want.state.values].map(([k, w]) => Math.max(...w.map((a, i) => Math.abs(a - state.values.get(k)![i]!)))))).toBeGreaterThan(1e-3);
      });
    }
  }
});
