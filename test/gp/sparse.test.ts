// The sparse variational GP: with inducing points at every training input and the optimal
// q(u) it reproduces the exact GP; with few inducing points its ELBO lies below the exact
// log marginal likelihood; its hyperparameter gradient matches finite differences; and
// minibatch training moves the ELBO up.
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { fitSparseSteps, setOptimalQ, sparseElbo } from '../../runtime/gp/sparse.js';
import { predict } from '../../runtime/gp/predict.js';
import { withTrainingData } from '../../runtime/gp/fit.js';
import { runToEnd } from '../../runtime/learners/drive.js';
import { base, gpState, lcg } from './helpers.js';

const KERNEL: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
const PARAMS = { s: { value: [1.3] }, ls: { value: [0.9] } };

function toy(n: number, seed: number, spread = 10): GPData {
  const u = lcg(seed);
  const x = Float64Array.from({ length: n }, (_, i) => (spread * (i + 0.5 * u())) / n);
  const y = Float64Array.from(x, (v) => Math.sin(v) + 0.2 * (u() - 0.5));
  return { x, y, n, stride: 1, task: new Int32Array(n), dropped: 0 };
}

describe('sparse variational GP', () => {
  it('with m = n inducing points at the data equals the exact GP to 1e-4', () => {
    // Inducing points one lengthscale apart: Kmm is well conditioned (the ELBO inverts it).
    const d = toy(25, 3, 25);
    const { state: sp } = gpState(KERNEL, PARAMS, { noise: 0.05, inducing: Array.from(d.x) });
    setOptimalQ(sp, d);
    const { state: ex } = gpState(KERNEL, PARAMS, { noise: 0.05 });
    const fitted = withTrainingData(ex, d);
    const xs = Float64Array.from({ length: 30 }, (_, i) => -1 + (27 * i) / 29);
    const a = predict(sp, xs, 30);
    const b = predict(fitted, xs, 30);
    for (let i = 0; i < 30; i++) {
      expect(Math.abs(a.mean[i]! - b.mean[i]!)).toBeLessThan(1e-4);
      expect(Math.abs(a.varF[i]! - b.varF[i]!)).toBeLessThan(1e-4);
      expect(Math.abs(a.varY[i]! - b.varY[i]!)).toBeLessThan(1e-4);
    }
    // At m = n the collapsed bound is the exact LML.
    const lml = exactLml(gpState(KERNEL, PARAMS, { noise: 0.05 }).core, d, false).lml;
    expect(Math.abs(sparseElbo(sp, d) - lml)).toBeLessThan(1e-5 * Math.abs(lml));
  });

  it('with m << n has an ELBO below the exact log marginal likelihood', () => {
    const d = toy(200, 7);
    const z = Array.from({ length: 8 }, (_, i) => (10 * (i + 0.5)) / 8);
    const { state: sp } = gpState(KERNEL, PARAMS, { noise: 0.05, inducing: z });
    setOptimalQ(sp, d);
    const elbo = sparseElbo(sp, d);
    const lml = exactLml(gpState(KERNEL, PARAMS, { noise: 0.05 }).core, d, false).lml;
    expect(elbo).toBeLessThan(lml);
    expect(Number.isFinite(elbo)).toBe(true);
  });

  it('minibatch training (natural gradients for q, Adam for hyperparameters) raises the ELBO', () => {
    const d = toy(400, 9);
    const z = Array.from({ length: 10 }, (_, i) => (10 * (i + 0.5)) / 10);
    const { state } = gpState(KERNEL, { s: { value: [0.3] }, ls: { value: [3] } }, { noise: 0.5, inducing: z });
    const before = (() => {
      const s = state.clone();
      setOptimalQ(s, d);
      return sparseElbo(s, d);
    })();
    const fitted = runToEnd(fitSparseSteps(state, d, { method: 'adam', lr: 0.05, epochs: 15, batch: 50, seed: 1, regCovar: 0, init: 'kmeans' }));
    const after = sparseElbo(fitted.state, d);
    expect(after).toBeGreaterThan(before);
    // Noise recovered near the truth (uniform(-0.1, 0.1): variance 0.0033).
    expect(fitted.state.values.get('noise')![0]).toBeLessThan(0.05);
  });

  it('the ELBO gradient (through Kxm, k(x, x) and the Cholesky of Kmm) equals finite differences', () => {
    const d = toy(60, 5);
    const z = Array.from({ length: 7 }, (_, i) => (10 * (i + 0.3)) / 7);
    const { state, core } = gpState(KERNEL, PARAMS, { noise: 0.05, inducing: z, mean: { kind: 'constant', c: 'm' } });
    // A q(v) away from the optimum so every term contributes.
    setOptimalQ(state, d);
    state.values.get('qm')!.forEach((v, i, a) => (a[i] = v * 0.8 + 0.1));
    const grad = core.gradBuffers();
    sparseElbo(state, d, grad);
    for (const h of core.free) {
      const v = core.value(h.name);
      for (let i = 0; i < h.size; i++) {
        const x0 = v[i]!;
        const step = 1e-6 * Math.max(Math.abs(x0), 1e-3);
        v[i] = x0 + step;
        const up = sparseElbo(state, d);
        v[i] = x0 - step;
        const down = sparseElbo(state, d);
        v[i] = x0;
        const fd = (up - down) / (2 * step);
        expect(Math.abs(grad.get(h.name)![i]! - fd), `${h.name}: analytic ${grad.get(h.name)![i]}, fd ${fd}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  describe('learned inducing inputs', () => {
    const KERNELS: [string, KernelExpr, Record<string, { value: number[] }>][] = [
      ['rbf', KERNEL, PARAMS],
      [
        'matern52 * periodic + linear',
        { op: 'sum', terms: [{ op: 'scale', factor: 's', kernel: { op: 'product', terms: [base('matern52', { ls: 'ls' }), base('periodic', { period: 'p', ls: 'pl' })] } }, base('linear', { variance: 'v' })] },
        { s: { value: [1.3] }, ls: { value: [1.7] }, p: { value: [3.1] }, pl: { value: [1.2] }, v: { value: [0.05] } },
      ],
    ];
    for (const [name, kernel, params] of KERNELS) {
      it(`${name}: the ELBO gradient with respect to the inducing inputs equals finite differences to 1e-5`, () => {
        const d = toy(60, 5);
        const z = Array.from({ length: 7 }, (_, i) => (10 * (i + 0.3)) / 7);
        const { state } = gpState(kernel, params, { noise: 0.05, inducing: z, mean: { kind: 'constant', c: 'm' } });
        setOptimalQ(state, d);
        state.values.get('qm')!.forEach((v, i, a) => (a[i] = v * 0.8 + 0.1));
        const gz = new Float64Array(7);
        sparseElbo(state, d, new Map([['z', gz]]));
        const zv = state.values.get('z')!;
        for (let i = 0; i < 7; i++) {
          const z0 = zv[i]!;
          const step = 1e-5;
          zv[i] = z0 + step;
          const up = sparseElbo(state, d);
          zv[i] = z0 - step;
          const down = sparseElbo(state, d);
          zv[i] = z0;
          const fd = (up - down) / (2 * step);
          expect(Math.abs(gz[i]! - fd), `z[${i}]: analytic ${gz[i]}, fd ${fd}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
        }
      });
    }

    it('learning them raises the ELBO where k-means centres are poor', () => {
      // 300 rows on a flat stretch (x in [0, 3]) and 30 on a wiggly one (x in [5, 10]): k-means
      // puts most of the 6 centres where the data are dense and the function is dull.
      const u = lcg(13);
      const xs: number[] = [];
      for (let i = 0; i < 300; i++) xs.push(3 * u());
      for (let i = 0; i < 30; i++) xs.push(5 + 5 * u());
      const x = Float64Array.from(xs);
      const y = Float64Array.from(x, (v) => (v < 4 ? 0 : Math.sin(2 * v)) + 0.05 * (u() - 0.5));
      const d: GPData = { x, y, n: x.length, stride: 1, task: new Int32Array(x.length), dropped: 0 };
      const fixed = { s: { value: [1], fixed: true }, ls: { value: [0.6], fixed: true } };
      const settings = { method: 'adam' as const, lr: 0.05, epochs: 150, batch: 330, seed: 2, regCovar: 0, init: 'kmeans' as const };
      const run = (learn: boolean): number => {
        const { state } = gpState(KERNEL, fixed, { noise: 0.01, fixedNoise: true, inducing: new Array<number>(6).fill(0), inducingFromData: true, learnInducing: learn });
        const fitted = runToEnd(fitSparseSteps(state, d, settings));
        setOptimalQ(fitted.state, d);
        return sparseElbo(fitted.state, d);
      };
      const kmeansOnly = run(false);
      const learned = run(true);
      expect(learned).toBeGreaterThan(kmeansOnly + 10);
    });

    it('with m = n at the data, learning keeps the exact GP predictions to 1e-4', () => {
      const d = toy(25, 3, 25);
      const fixedParams = { s: { value: [1.3], fixed: true }, ls: { value: [0.9], fixed: true } };
      const { state: sp } = gpState(KERNEL, fixedParams, { noise: 0.05, fixedNoise: true, inducing: Array.from(d.x) });
      // Z = X is a maximum of the ELBO (it equals the LML there); full batches keep q(u) optimal,
      // and Adam's steps, of order lr at first, settle back (it dithers at a scale of lr near a
      // maximum, so lr is small and the run long enough to settle).
      const fitted = runToEnd(fitSparseSteps(sp, d, { method: 'adam', lr: 0.01, epochs: 200, batch: 25, seed: 1, regCovar: 0, init: 'kmeans' }));
      expect(fitted.notes.some((n) => n.startsWith('inducing inputs learned'))).toBe(true);
      setOptimalQ(fitted.state, d);
      const ex = withTrainingData(gpState(KERNEL, PARAMS, { noise: 0.05 }).state, d);
      const xs = Float64Array.from({ length: 30 }, (_, i) => -1 + (27 * i) / 29);
      const a = predict(fitted.state, xs, 30);
      const b = predict(ex, xs, 30);
      for (let i = 0; i < 30; i++) {
        expect(Math.abs(a.mean[i]! - b.mean[i]!)).toBeLessThan(1e-4);
        expect(Math.abs(a.varF[i]! - b.varF[i]!)).toBeLessThan(1e-4);
      }
    });
  });
});
