// Predictions of a fitted GP at new inputs: the posterior mean and variance of the latent f
// (and of y = f + noise), the full covariance, posterior samples and log predictive
// densities, in the outputs' own units. Exact GPs use the training data stored in the
// model; sparse GPs their inducing points and variational distribution (sparse.ts).
import { cholesky, solveLower } from '../kernels/cholesky.js';
import type { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';
import { GPCore } from './core.js';
import type { GPData } from './data.js';
import { exactPosterior, type ExactPosterior } from './exact.js';
import { gpNode, scaleOutputs } from './fit.js';
import { laplacePredictScaled, withLikelihoodMoments } from './laplace-predict.js';
import { sparsePredictScaled } from './sparse.js';
import { vecchiaSetup, type VecchiaSetup } from './vecchia/ordering.js';
import { VecchiaNeighbours, vecchiaPredictScaled } from './vecchia/predict.js';
import { multiclassPredictScaled } from './multiclass-predict.js';
import { diagVariances, type Prediction } from './variances.js';
export type { Prediction };


const cache = new WeakMap<ModelState, { key: string; post: ExactPosterior }>();

/** The training points a fitted exact (or Vecchia) GP stores. */
export function trainingData(state: ModelState): GPData {
  const node = gpNode(state.graph);
  if ((node.inference.kind !== 'exact' && node.inference.kind !== 'vecchia') || !node.inference.train) throw new Error('this GP has no stored training data');
  const x = state.values.get(node.inference.train.x)!;
  const y = state.values.get(node.inference.train.y)!;
  const stride = state.param(node.inference.train.x).shape[1] ?? 1;
  const multi = (node.outputs?.length ?? 1) > 1;
  const n = y.length;
  const task = Int32Array.from({ length: n }, (_, i) => (multi ? Math.round(x[i * stride + stride - 1]!) : 0));
  return { x, y, n, stride, task, dropped: 0 };
}

function posterior(state: ModelState, core: GPCore, d: GPData): ExactPosterior {
  const key = core.hyperNames.map((n) => Array.from(state.values.get(n)!).join(',')).join(';');
  const hit = cache.get(state);
  if (hit && hit.key === key) return hit.post;
  const post = exactPosterior(core, { ...d, y: scaleOutputs(state, core.node, d) });
  cache.set(state, { key, post });
  return post;
}

/** Predicts at the m points xs (row-major m x stride: inputs, then the task when multitask). */
export function predict(state: ModelState, xs: Float64Array, m: number, opts: { cov?: boolean } = {}): Prediction {
  const node = gpNode(state.graph);
  const core = new GPCore(state, node);
  // A non-Gaussian likelihood has no output normalization: its prediction is final.
  if (node.likelihood?.classes) return multiclassPredictScaled(state, core, trainingData(state), xs, m, opts);
  if (node.likelihood) return node.inference.kind === 'sparse' ? withLikelihoodMoments(core, sparsePredictScaled(state, core, xs, m, opts)) : laplacePredictScaled(state, core, trainingData(state), xs, m, opts);
  const inf = node.inference;
  const scaled = inf.kind === 'sparse' ? sparsePredictScaled(state, core, xs, m, opts) : inf.kind === 'vecchia' ? vecchiaPredict(state, core, inf.m, xs, m, opts) : exactPredictScaled(state, core, xs, m, opts);
  // Back to the outputs' units.
  const task = (i: number): number => (core.stride > core.inputs ? Math.round(xs[i * core.stride + core.stride - 1]!) : 0);
  const shift = node.normalize ? state.values.get(node.normalize.shift)! : undefined;
  const scale = node.normalize ? state.values.get(node.normalize.scale)! : undefined;
  const mean = Float64Array.from(scaled.mean, (v, i) => (shift ? v * scale![task(i)]! + shift[task(i)]! : v));
  const s2 = (i: number): number => (scale ? scale[task(i)]! ** 2 : 1);
  const varF = Float64Array.from(scaled.varF, (v, i) => v * s2(i));
  const varY = Float64Array.from(scaled.varY, (v, i) => v * s2(i));
  let cov: Float64Array | undefined;
  if (scaled.cov) {
    cov = Float64Array.from(scaled.cov, (v, k) => (scale ? v * scale[task(Math.floor(k / m))]! * scale[task(k % m)]! : v));
  }
  return { m, mean, varF, varY, ...(cov ? { cov } : {}), ...(scaled.note ? { note: scaled.note } : {}) };
}

const vecchiaCache = new WeakMap<ModelState, { key: string; setup: VecchiaSetup; nbrs: VecchiaNeighbours }>();

/** Vecchia predictions; the ordering and the neighbour search are built once per state (and normalization). */
function vecchiaPredict(state: ModelState, core: GPCore, k: number, xs: Float64Array, m: number, opts: { cov?: boolean }): Prediction {
  const norm = core.node.normalize;
  const key = norm ? `${Array.from(state.values.get(norm.shift)!).join(',')};${Array.from(state.values.get(norm.scale)!).join(',')}` : '';
  let hit = vecchiaCache.get(state);
  if (!hit || hit.key !== key) {
    const d = trainingData(state);
    const setup = vecchiaSetup({ ...d, y: scaleOutputs(state, core.node, d) }, k);
    hit = { key, setup, nbrs: new VecchiaNeighbours(setup) };
    vecchiaCache.set(state, hit);
  }
  return vecchiaPredictScaled(core, hit.setup, k, xs, m, opts, hit.nbrs);
}

function exactPredictScaled(state: ModelState, core: GPCore, xs: Float64Array, m: number, opts: { cov?: boolean }): Prediction {
  const d = trainingData(state);
  const post = posterior(state, core, d);
  const n = d.n;
  const ev = core.evaluator;
  // K* (m x n), then V = L^-1 K*^T (n x m).
  const ks = new Float64Array(m * n);
  ev.value(ev.pairs(xs, d.x, 0, m, n), ks);
  const mean = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = core.meanAt(xs, i);
    for (let j = 0; j < n; j++) s += ks[i * n + j]! * post.alpha[j]!;
    mean[i] = s;
  }
  const v = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) v[j * m + i] = ks[i * n + j]!;
  solveLower(post.l, n, v, m);
  const { varF, varY } = diagVariances(core, xs, m, (i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += v[j * m + i]! ** 2;
    return s;
  });
  let cov: Float64Array | undefined;
  if (opts.cov) {
    cov = new Float64Array(m * m);
    ev.value(ev.pairs(xs, xs, 0, m, m), cov);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += v[j * m + a]! * v[j * m + b]!;
        cov[a * m + b] -= s;
      }
    }
  }
  const note = post.jitter > 0 ? `added jitter ${post.jitter.toExponential(2)} to the kernel matrix because ${post.reason}` : undefined;
  return { m, mean, varF, varY, ...(cov ? { cov } : {}), ...(note ? { note } : {}) };
}

/** `count` joint draws of f at the points: mean + chol(cov) z (with jitter when needed). */
export function samplePosterior(p: Prediction, count: number, rng: Rng): Float64Array[] {
  const m = p.m;
  const c = Float64Array.from(p.cov!);
  let ok = false;
  let meanDiag = 0;
  for (let i = 0; i < m; i++) meanDiag += c[i * m + i]! / m;
  for (const j of [0, 1e-10, 1e-8, 1e-6, 1e-4]) {
    const t = Float64Array.from(p.cov!);
    for (let i = 0; i < m; i++) t[i * m + i] += j * Math.max(meanDiag, 1e-300);
    if (cholesky(t, m).ok) {
      c.set(t);
      ok = true;
      break;
    }
  }
  if (!ok) {
    // Degenerate covariance: independent draws with the marginal variances.
    c.fill(0);
    for (let i = 0; i < m; i++) c[i * m + i] = Math.sqrt(p.varF[i]!);
  }
  return Array.from({ length: count }, () => {
    const z = Float64Array.from({ length: m }, () => rng.normal());
    const out = Float64Array.from(p.mean);
    for (let i = 0; i < m; i++) for (let k = 0; k <= i; k++) out[i] += c[i * m + k]! * z[k]!;
    return out;
  });
}

/** Log predictive density of observations y at the points (independent marginals, y with noise). */
export function logPredictive(p: Prediction, y: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: p.m }, (_, i) => {
    const v = p.varY[i]!;
    return -0.5 * (Math.log(2 * Math.PI * v) + (y[i]! - p.mean[i]!) ** 2 / v);
  });
}
