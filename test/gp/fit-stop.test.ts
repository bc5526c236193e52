// GP fits through the fit driver: the stop reasons of L-BFGS (its own criterion, max_iter) and
// of sparse Adam (the epoch limit, tol), and an abort before or during a fit keeps the best so
// far instead of failing.
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import type { GPData } from '../../runtime/gp/data.js';
import { fitExactSteps } from '../../runtime/gp/fit.js';
import { fitSparseSteps } from '../../runtime/gp/sparse.js';
import { runToEnd } from '../../runtime/learners/drive.js';
import type { FitProgress } from '../../runtime/learners/types.js';
import { Rng } from '../../stdlib/random.js';
import { base, gpState } from './helpers.js';

const RBF: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
function data(n: number, seed: number): GPData {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => 10 * rng.uniform());
  return { x: Float64Array.from(x), y: Float64Array.from(x, (v) => Math.sin(v) + 0.1 * rng.normal()), n, stride: 1, task: new Int32Array(n), dropped: 0 };
}
const exactState = () => gpState(RBF, { s: { value: [0.5] }, ls: { value: [3] } }, { noise: 0.3 }).state;
const LB = { method: 'lbfgs' as const, restarts: 2, tol: 1e-6, seed: 1 };

describe('exact GP stop reasons', () => {
  it('reports the criterion that held, or max_iter', () => {
    const d = data(40, 1);
    const done = runToEnd(fitExactSteps(exactState(), d, { ...LB, maxIter: 200 }));
    expect([done.stop, done.converged]).toEqual(['converged', true]);
    expect(['projected gradient below tolerance', 'relative decrease below tolerance']).toContain(done.criterion);
    const capped = runToEnd(fitExactSteps(exactState(), d, { ...LB, restarts: 1, maxIter: 3 }));
    expect([capped.stop, capped.converged, capped.iterations, capped.criterion]).toEqual(['max_iter', false, 3, 'max_iter = 3']);
  });

  it('an abort before the first step keeps the starting hyperparameters; during the fit, the best so far', () => {
    const d = data(40, 2);
    const c = new AbortController();
    c.abort();
    const before = runToEnd(fitExactSteps(exactState(), d, { ...LB, maxIter: 200 }, undefined, c.signal));
    expect([before.stop, before.interrupted, before.iterations, before.converged]).toEqual(['interrupted', true, 0, false]);
    expect(Number.isFinite(before.lml)).toBe(true);
    expect(before.state.values.get('ls')![0]).toBeCloseTo(3, 12);

    const full = runToEnd(fitExactSteps(exactState(), d, { ...LB, maxIter: 200 }));
    const c2 = new AbortController();
    const seen: FitProgress[] = [];
    const during = runToEnd(
      fitExactSteps(exactState(), d, { ...LB, maxIter: 200 }, (p) => {
        seen.push(p);
        if (p.iteration === 3) c2.abort();
      }, c2.signal),
    );
    expect([during.stop, during.interrupted, during.iterations]).toEqual(['interrupted', true, 3]);
    // The kept point is the third step's: better than the start, not better than the full fit.
    expect(during.lml).toBeGreaterThan(before.lml);
    expect(during.lml).toBeLessThanOrEqual(full.lml + 1e-9);
    expect(seen.at(-1)!.meanLogLikelihood).toBeCloseTo(during.lml / d.n, 9);
  });
});

describe('sparse GP stop reasons', () => {
  const sparse = () => gpState(RBF, { s: { value: [0.5] }, ls: { value: [2] } }, { noise: 0.3, inducing: [1, 3, 5, 7, 9] }).state;
  const AD = { method: 'adam' as const, lr: 0.05, batch: 20, seed: 1, regCovar: 0, init: 'kmeans' as const };

  it('without tol stops at the epoch limit (not converged); with tol, converged under it', () => {
    const d = data(60, 3);
    const plain = runToEnd(fitSparseSteps(sparse(), d, { ...AD, epochs: 8 }));
    expect([plain.stop, plain.converged, plain.iterations, plain.criterion]).toEqual(['max_iter', false, 8, 'epochs = 8, no tol given']);
    // One batch per epoch: the epoch's ELBO is exact, not a mini-batch estimate.
    const tol = runToEnd(fitSparseSteps(sparse(), d, { ...AD, batch: 60, epochs: 400, tol: 1e-4, patience: 2 }));
    expect([tol.stop, tol.converged]).toEqual(['converged', true]);
    expect(tol.iterations).toBeLessThan(400);
  });

  it('an abort before the first epoch gives the ELBO at the start, not a failure', () => {
    const c = new AbortController();
    c.abort();
    const r = runToEnd(fitSparseSteps(sparse(), data(60, 4), { ...AD, epochs: 8 }, undefined, c.signal));
    expect([r.stop, r.interrupted, r.iterations]).toEqual(['interrupted', true, 0]);
    expect(Number.isFinite(r.lml)).toBe(true);
  });
});
