// Gaussian process bench data and models, built straight as IR (no model text): inputs in
// [0, 10]^2, y = sin(x0) + cos(x1 / 2) + noise; kernel 1.0 * rbf(ls = [1, 2]) + white(0.1),
// the likelihood's own noise fixed at 1e-10 (scikit-learn's alpha).
import { GPCore } from '../../dist/runtime/gp/core.js';
import { ModelState } from '../../dist/runtime/state.js';
import { Rng } from '../../dist/stdlib/random.js';

export function gpData(n, seed, d = 2) {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) x[i * d + c] = 10 * rng.uniform();
    // The second input's term only where there is one (d = 1 read the next row's x, and past the end).
    y[i] = Math.sin(x[i * d]) + (d > 1 ? Math.cos(x[i * d + 1] / 2) : 0) + 0.3 * rng.normal();
  }
  return { x, y, n, stride: d, task: new Int32Array(n), dropped: 0 };
}

const bounded = (name, shape, value, fixed = false) => ({ name, shape, param: { kind: 'bounded', lower: 1e-10, upper: 1e5 }, value, fixed, init: 'given' });

/** A GP state: exact, or sparse with m inducing points (k-means initialized by the fit). */
export function gpModel(d = 2, sparse) {
  const params = {
    s: bounded('s', [], [1]),
    ls: bounded('ls', [d], [1, 2].slice(0, d)),
    w: bounded('w', [], [0.1]),
    noise: bounded('noise', [], [1e-10], true),
  };
  if (sparse) {
    const m = sparse.m;
    params.z = { name: 'z', shape: [m, d], param: { kind: 'identity' }, value: new Array(m * d).fill(0), fixed: true, init: 'data' };
    params.qm = { name: 'qm', shape: [m], param: { kind: 'identity' }, value: new Array(m).fill(0), fixed: true, init: 'given' };
    params.qs = { name: 'qs', shape: [m, m], param: { kind: 'identity' }, value: Array.from({ length: m * m }, (_, k) => (k % (m + 1) === 0 ? 1 : 0)), fixed: true, init: 'given' };
    // The white term would act as extra noise on the inducing points: a sparse GP uses the likelihood's noise instead.
    params.noise = bounded('noise', [], [0.1]);
  }
  const kernelRbf = { op: 'scale', factor: 's', kernel: { op: 'base', name: 'rbf', params: { ls: 'ls' } } };
  const kernel = sparse ? kernelRbf : { op: 'sum', terms: [kernelRbf, { op: 'base', name: 'white', params: { noise: 'w' } }] };
  if (sparse) delete params.w;
  const vars = [...Array.from({ length: d }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } })), { name: 'y', type: { kind: 'real' } }];
  const node = {
    kind: 'gp', id: 'n0', scope: vars.map((_, i) => i), units: 1,
    inputs: Array.from({ length: d }, (_, i) => i), output: d, kernel, mean: { kind: 'zero' }, noise: 'noise',
    inference: sparse ? { kind: 'sparse', inducing: 'z', qMean: 'qm', qSqrt: 'qs', m: sparse.m } : { kind: 'exact' },
  };
  const state = new ModelState({ version: 1, family: 'gp', vars, params, nodes: [node], root: 'n0' });
  return { state, core: new GPCore(state, node) };
}
