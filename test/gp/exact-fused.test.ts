// The exact GP's fast path (kernel matrix and gradient in one fused pass, the inverse in wasm
// memory on worker threads) against its reference (the general kernel evaluator and the plain
// JS inverse: exactLml(..., { fused: false })): LML to 1e-10 relative and every gradient entry
// to 1e-8 of the largest, on random kernels of the covered shapes, sizes around the wasm
// inverse's threshold (256) and 1, 2, 3 threads. Kernels outside the covered shapes get no plan.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { fusedPlan } from '../../runtime/gp/exact-fused.js';
import { setJoinWait } from '../../runtime/kernels/cholesky-engine.js';
import { warmCholeskyThreads } from '../../runtime/kernels/cholesky.js';
import { base, gpState, lcg, type ParamInit } from './helpers.js';

const SHAPES = ['rbf', 'matern32', 'matern52'] as const;

interface Term {
  readonly shape: (typeof SHAPES)[number] | 'white';
  readonly scaled: boolean;
  readonly ard: boolean;
  /** Input columns the term sees (undefined: all). */
  readonly dims?: number[];
}

/** The kernel expression and parameters of a sum of terms over D inputs (seeded values). */
function kernelOf(terms: readonly Term[], D: number, seed: number): { kernel: KernelExpr; params: Record<string, ParamInit> } {
  const u = lcg(seed);
  const params: Record<string, ParamInit> = {};
  const exprs = terms.map((t, k): KernelExpr => {
    let e: KernelExpr;
    if (t.shape === 'white') {
      params[`w${k}`] = { value: [0.05 + 0.3 * u()] };
      e = base('white', { noise: `w${k}` });
    } else {
      const cols = t.dims ?? Array.from({ length: D }, (_, c) => c);
      params[`ls${k}`] = { value: t.ard ? cols.map(() => 0.4 + 2 * u()) : [0.4 + 2 * u()] };
      e = base(t.shape, { ls: `ls${k}` }, undefined, t.dims);
    }
    if (!t.scaled) return e;
    params[`s${k}`] = { value: [0.3 + 2 * u()] };
    return { op: 'scale', factor: `s${k}`, kernel: e };
  });
  return { kernel: exprs.length === 1 ? exprs[0]! : { op: 'sum', terms: exprs }, params };
}

function data(D: number, n: number, seed: number): GPData {
  const u = lcg(seed);
  const x = Float64Array.from({ length: n * D }, () => 6 * u() - 3);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * x[i * D]!) + 0.3 * (u() - 0.5));
  return { x, y, n, stride: D, task: new Int32Array(n), dropped: 0 };
}

/** Fast and reference LML + gradient on the same state: LML 1e-10 relative, gradients 1e-8 of the largest. */
function agree(terms: readonly Term[], D: number, n: number, seed: number, mean: 'zero' | 'constant' = 'zero'): void {
  const { kernel, params } = kernelOf(terms, D, seed);
  const { core } = gpState(kernel, params, { inputs: D, noise: 0.02, ...(mean === 'constant' ? { mean: { kind: 'constant', c: 'm' } } : {}) });
  expect(fusedPlan(core)).not.toBeNull();
  const d = data(D, n, seed + 1);
  const fast = exactLml(core, d, true);
  const ref = exactLml(core, d, true, undefined, { fused: false });
  expect(fast.jitter).toBe(ref.jitter);
  expect(Math.abs(fast.lml - ref.lml)).toBeLessThanOrEqual(1e-10 * Math.abs(ref.lml));
  let scale = 0;
  for (const g of ref.grad!.values()) for (const v of g) scale = Math.max(scale, Math.abs(v));
  expect([...fast.grad!.keys()]).toEqual([...ref.grad!.keys()]);
  for (const [name, g] of ref.grad!) {
    const f = fast.grad!.get(name)!;
    for (let i = 0; i < g.length; i++) expect(Math.abs(f[i]! - g[i]!), `${name}[${i}]: fast ${f[i]}, reference ${g[i]}`).toBeLessThanOrEqual(1e-8 * scale);
  }
}

const termArb = (D: number): fc.Arbitrary<Term> =>
  fc.record({
    shape: fc.constantFrom(...SHAPES, 'white'),
    scaled: fc.boolean(),
    ard: fc.boolean(),
    dims: fc.option(fc.subarray(Array.from({ length: D }, (_, c) => c), { minLength: 1 }), { nil: undefined }),
  });

describe('exact GP: fused kernel pass and wasm inverse against the evaluator and the JS inverse', () => {
  beforeAll(async () => {
    await warmCholeskyThreads(3);
    setJoinWait(2000);
  });
  afterAll(() => {
    setJoinWait(0);
    delete process.env.PMIX_THREADS;
  });

  it('random sums of [scaled] rbf / matern32 / matern52 (shared or ARD, column subsets) and white', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((D) => fc.tuple(fc.constant(D), fc.array(termArb(D), { minLength: 1, maxLength: 3 }))),
        fc.integer({ min: 2, max: 80 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.boolean(),
        ([D, terms], n, seed, constMean) => agree(terms, D, n, seed, constMean ? 'constant' : 'zero'),
      ),
      { numRuns: 40 },
    );
  });

  for (const threads of [1, 2, 3]) {
    it(`n = 300 (the wasm inverse, threaded solves) on ${threads} thread${threads > 1 ? 's' : ''}: the bench's kernel and a Matern sum`, () => {
      process.env.PMIX_THREADS = String(threads);
      agree([{ shape: 'rbf', scaled: true, ard: true }, { shape: 'white', scaled: false, ard: false }], 2, 300, 3);
      agree([{ shape: 'matern52', scaled: true, ard: false, dims: [1] }, { shape: 'matern32', scaled: true, ard: true }], 2, 300, 4, 'constant');
    });
  }

  it('no plan (the evaluator runs) for products, other kernels and options', () => {
    const rbf = base('rbf', { ls: 'ls' });
    const params = { ls: { value: [1] }, p: { value: [1.3] }, v: { value: [0.5] } };
    const none: KernelExpr[] = [
      { op: 'product', terms: [rbf, base('periodic', { period: 'p', ls: 'ls' })] },
      { op: 'sum', terms: [rbf, base('linear', { variance: 'v' })] },
      base('matern12', { ls: 'ls' }),
      base('polynomial', { offset: 'v' }, { degree: 2 }),
    ];
    for (const k of none) expect(fusedPlan(gpState(k, params, { inputs: 1 }).core), JSON.stringify(k)).toBeNull();
    expect(fusedPlan(gpState({ op: 'scale', factor: 'v', kernel: rbf }, params, { inputs: 1 }).core)).not.toBeNull();
  });
});
