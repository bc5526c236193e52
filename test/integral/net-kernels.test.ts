// The integral circuits' fast nets (useNetKernels: batched output layers, wasm SIMD matmul,
// the refresh's forward pass reused by the next gradient) against the per-parameter JS
// reference: the same neural parameter values and the same gradients w.r.t. every net weight,
// to 1e-12 relative, over random circuits (sharing modes, products, activations, widths that
// are not multiples of 4, real and binary inputs).
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileOk } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import { initializeIntegral } from '../../runtime/integral/initialize.js';
import { latentGradients, refreshLatent, useNetKernels } from '../../runtime/integral/latent-params.js';
import { Rng } from '../../stdlib/random.js';

afterEach(() => useNetKernels(true));

interface Shape {
  readonly V: number;
  readonly real: boolean;
  readonly points: number;
  readonly hidden: number;
  readonly layers: number;
  readonly activation: string;
  readonly sharing: string;
  readonly product: string;
  readonly seed: number;
}

function build(s: Shape): ModelState {
  const names = Array.from({ length: s.V }, (_, i) => `v${i}`);
  const body = `region random_tree(depth = 2, seed = ${s.seed % 5})  inputs ${s.real ? 'Normal' : 'Bernoulli'}  integral gauss_legendre(points = ${s.points})  net mlp(hidden = ${s.hidden}, layers = ${s.layers}, activation = ${s.activation})  sharing ${s.sharing}  product ${s.product}`;
  const program = compileOk(`model M(${names.join(', ')}) = circuit { ${body} }`);
  const vars = names.map((name) => ({ name, type: { kind: s.real ? ('real' as const) : ('bool' as const) } }));
  const state = new Session(program).lower('M', vars, undefined, 'train');
  const rng = new Rng(s.seed);
  const n = 30;
  const x = Float64Array.from({ length: n * s.V }, () => (s.real ? rng.normal() : rng.uniform() < 0.4 ? 1 : 0));
  initializeIntegral(state, x, n, new Float64Array(n).fill(1), 1e-6, rng);
  return state;
}

const neuralNames = (state: ModelState): string[] => Object.values(state.graph.params).filter((p) => p.param.kind === 'neural').map((p) => p.name);

function expectClose(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= 1e-12 * Math.max(1, Math.abs(want[i]!)))) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** Neural values and function-parameter gradients (for random d/dv), fast or reference. */
function run(state: ModelState, on: boolean, seed: number): { values: Map<string, Float64Array>; grads: Map<string, Float64Array> } {
  useNetKernels(on);
  refreshLatent(state);
  const values = new Map(neuralNames(state).map((k) => [k, Float64Array.from(state.values.get(k)!)]));
  const rng = new Rng(seed);
  const grads = new Map<string, Float64Array>();
  // Some neural parameters get no gradient (as when a batch's flows skip them).
  for (const k of neuralNames(state)) if (rng.uniform() < 0.85) grads.set(k, Float64Array.from(state.values.get(k)!, () => rng.uniform() * 2 - 1));
  latentGradients(state, grads);
  return { values, grads };
}

const shapes = fc.record({
  V: fc.integer({ min: 3, max: 6 }),
  real: fc.boolean(),
  points: fc.integer({ min: 2, max: 7 }),
  hidden: fc.integer({ min: 1, max: 9 }),
  layers: fc.integer({ min: 0, max: 2 }),
  activation: fc.constantFrom('sin', 'tanh', 'relu'),
  sharing: fc.constantFrom('none', 'composite', 'full'),
  product: fc.constantFrom('hadamard', 'cp', 'kronecker'),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

describe('fast nets agree with the per-parameter JS reference', () => {
  it('neural parameter values and the gradients of every function parameter (1e-12 relative)', () => {
    fc.assert(
      fc.property(shapes, (s) => {
        const a = run(build(s), true, s.seed);
        const b = run(build(s), false, s.seed);
        expect([...a.values.keys()]).toEqual([...b.values.keys()]);
        for (const [k, v] of b.values) expectClose(a.values.get(k)!, v, `value ${k}`);
        expect([...a.grads.keys()].sort()).toEqual([...b.grads.keys()].sort());
        for (const [k, g] of b.grads) expectClose(a.grads.get(k)!, g, `grad ${k}`);
      }),
      { numRuns: 25 },
    );
  });

  it('a gradient after the net weights changed without a refresh is of the new weights (no stale forward pass)', () => {
    const s: Shape = { V: 4, real: true, points: 5, hidden: 6, layers: 2, activation: 'sin', sharing: 'composite', product: 'hadamard', seed: 7 };
    const fastState = build(s);
    const refState = build(s);
    useNetKernels(true);
    refreshLatent(fastState);
    // Change a hidden layer's weight in both states behind the refresh's back.
    const w = Object.keys(fastState.graph.params).find((k) => k.endsWith('.l1.w'))!;
    fastState.values.get(w)![0]! += 0.5;
    refState.values.get(w)![0]! += 0.5;
    const g = (state: ModelState): Map<string, Float64Array> => {
      const grads = new Map(neuralNames(state).map((k) => [k, new Float64Array(state.values.get(k)!.length).fill(1)]));
      latentGradients(state, grads);
      return grads;
    };
    const a = g(fastState);
    useNetKernels(false);
    const b = g(refState);
    for (const [k, v] of b) expectClose(a.get(k)!, v, `grad ${k}`);
    // And the unchanged weights give a different gradient: the check is not vacuous.
    useNetKernels(true);
    const stale = build(s);
    refreshLatent(stale);
    const c = g(stale);
    const gap = Math.max(...[...b].map(([k, v]) => Math.max(...v.map((x, i) => Math.abs(x - c.get(k)![i]!)))));
    expect(gap).toBeGreaterThan(1e-6);
  });
});
