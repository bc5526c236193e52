// Exact GP behaviour: interpolation with tiny noise, hyperparameter recovery on data drawn
// from a known GP, jitter (with its reason) for duplicated inputs without noise, an
// artifact round trip, and a multitask (ICM) gradient check.
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml } from '../../runtime/gp/exact.js';
import { fitExactSteps, withTrainingData } from '../../runtime/gp/fit.js';
import { predict } from '../../runtime/gp/predict.js';
import { cholesky } from '../../runtime/kernels/cholesky.js';
import { runToEnd } from '../../runtime/learners/drive.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { base, gpState, lcg } from './helpers.js';

const RBF: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
const data1 = (x: number[], y: number[]): GPData => ({ x: Float64Array.from(x), y: Float64Array.from(y), n: x.length, stride: 1, task: new Int32Array(x.length), dropped: 0 });

describe('exact GP', () => {
  it('interpolates the training data when the noise is tiny', () => {
    const u = lcg(2);
    const x = Array.from({ length: 15 }, (_, i) => i * 0.7 + 0.2 * u());
    const y = x.map((v) => Math.cos(v) + 0.5 * v);
    const { state } = gpState(RBF, { s: { value: [2] }, ls: { value: [1.2] } }, { noise: 1e-8, fixedNoise: true });
    const fitted = withTrainingData(state, data1(x, y));
    const p = predict(fitted, Float64Array.from(x), x.length);
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs(p.mean[i]! - y[i]!)).toBeLessThan(1e-4);
      expect(p.varF[i]!).toBeLessThan(1e-6);
    }
  });

  it('recovers the lengthscale and the noise of data drawn from a known GP', () => {
    const n = 250;
    const rng = new Rng(4);
    const x = Array.from({ length: n }, () => 30 * rng.uniform());
    const ls = 1.5;
    const noise = 0.04;
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = Math.exp(-0.5 * ((x[i]! - x[j]!) / ls) ** 2) + (i === j ? 1e-9 : 0);
    expect(cholesky(K, n).ok).toBe(true);
    const z = Array.from({ length: n }, () => rng.normal());
    const y = x.map((_, i) => {
      let s = 0;
      for (let k = 0; k <= i; k++) s += K[i * n + k]! * z[k]!;
      return s + Math.sqrt(noise) * rng.normal();
    });
    const { state } = gpState(RBF, { s: { value: [0.3] }, ls: { value: [5] } }, { noise: 0.5 });
    const fitted = runToEnd(fitExactSteps(state, data1(x, y), { method: 'lbfgs', maxIter: 200, restarts: 2, tol: 1e-6, seed: 1 }));
    const gotLs = fitted.state.values.get('ls')![0]!;
    const gotNoise = fitted.state.values.get('noise')![0]!;
    const gotS = fitted.state.values.get('s')![0]!;
    // Sampling error at n = 250: about 10% for the lengthscale, 20% for the noise, more for the variance.
    expect(Math.abs(gotLs / ls - 1)).toBeLessThan(0.2);
    expect(Math.abs(gotNoise / noise - 1)).toBeLessThan(0.35);
    expect(gotS).toBeGreaterThan(0.3);
    expect(gotS).toBeLessThan(3);
    expect(fitted.converged).toBe(true);
  });

  it('adds jitter to a kernel matrix with duplicated inputs and no noise, and says how much and why', () => {
    const x = [0, 1, 1, 2, 3, 3, 4];
    const y = [0, 0.8, 0.8, 0.9, 0.1, 0.1, -0.7];
    const { core, state } = gpState(RBF, { s: { value: [1] }, ls: { value: [1] } }, { noise: 0, fixedNoise: true });
    const r = exactLml(core, data1(x, y), false);
    expect(r.jitter).toBeGreaterThan(0);
    expect(r.reason).toMatch(/2 input rows repeat an earlier one/);
    const p = predict(withTrainingData(state, data1(x, y)), Float64Array.from([1, 2.5]), 2);
    expect(p.note).toMatch(/added jitter \d\.\d\de-\d+ to the kernel matrix because 2 input rows repeat/);
    expect(Math.abs(p.mean[0]! - 0.8)).toBeLessThan(1e-3);
  });

  it('round-trips a fitted GP through an artifact with identical predictions', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [0.1, 0.9, 1.0, 0.2, -0.7, -1.0];
    const { state } = gpState(RBF, { s: { value: [1] }, ls: { value: [1] } }, { noise: 0.01, mean: { kind: 'constant', c: 'm' } });
    const fitted = withTrainingData(state, data1(x, y));
    const text = serializeArtifact(makeArtifact('G', fitted.toGraph(), {}));
    const loaded = new ModelState(readArtifact(text).ir);
    const xs = Float64Array.from([0.5, 2.5, 7]);
    const a = predict(fitted, xs, 3);
    const b = predict(loaded, xs, 3);
    expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
    expect(Array.from(b.varY)).toEqual(Array.from(a.varY));
    // A corrupted artifact names the field.
    const bad = JSON.parse(text);
    bad.ir.nodes[0].kernel.kernel.name = 'rbff';
    expect(() => readArtifact(JSON.stringify(bad), 'm.json')).toThrow(/field ir\.nodes\[0\]\.kernel\.kernel\.name: unknown kernel 'rbff'/);
  });

  it('multitask ICM: the LML gradient (coregion W and kappa, per-task noise) matches finite differences', () => {
    const kernel: KernelExpr = { op: 'product', terms: [base('rbf', { ls: 'ls' }, undefined, [0]), base('coregion', { W: 'W', kappa: 'kap' }, { tasks: 2, rank: 1 }, [1])] };
    const { core } = gpState(kernel, { ls: { value: [0.8] }, W: { value: [0.9, 0.6], shape: [2, 1], identity: true }, kap: { value: [0.1, 0.2] } }, { outputs: 2, noise: 0.05 });
    const u = lcg(8);
    const n = 24;
    const x = new Float64Array(n * 2);
    const y = new Float64Array(n);
    const task = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x[i * 2] = 4 * u();
      x[i * 2 + 1] = i % 2;
      task[i] = i % 2;
      y[i] = Math.sin(x[i * 2]!) * (i % 2 ? 0.7 : 1) + 0.1 * u();
    }
    const d: GPData = { x, y, n, stride: 2, task, dropped: 0 };
    const { grad } = exactLml(core, d, true);
    for (const h of core.free) {
      const v = core.value(h.name);
      for (let i = 0; i < h.size; i++) {
        const x0 = v[i]!;
        const step = 1e-6 * Math.max(Math.abs(x0), 1e-3);
        v[i] = x0 + step;
        const up = exactLml(core, d, false).lml;
        v[i] = x0 - step;
        const down = exactLml(core, d, false).lml;
        v[i] = x0;
        const fd = (up - down) / (2 * step);
        expect(Math.abs(grad!.get(h.name)![i]! - fd), `${h.name}[${i}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
