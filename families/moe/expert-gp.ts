// Gaussian-process experts: expert k is an exact GP f_k ~ GP(m_k, k_k) with noise sigma_k^2,
// fitted on every training point with the responsibilities as per-point noise weights
// (noise_i = sigma_k^2 / r_ik: the weighted-GP M-step of mixtures of GP experts, Tresp 2001),
// its hyperparameters moved by a few L-BFGS steps on that weighted log marginal likelihood per
// M-step, with the GP family's own runtime (runtime/gp: kernels, Cholesky with jitter, LML and
// gradient). An expert's density at (x, y) is its predictive N(y; mu_k(x), var_f,k(x) + sigma_k^2).
// The graph stores one GP node as a template (options.gp, JSON) and each expert's
// hyperparameters under `e<k>.`; a fit adds the training points and the noise multipliers.
import type { GPNode, IRGraph, IRParam } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import { GPCore } from '../../runtime/gp/core.js';
import type { GPData } from '../../runtime/gp/data.js';
import { exactLml, exactPosterior, type ExactPosterior } from '../../runtime/gp/exact.js';
import { initializeFromData } from '../../runtime/gp/init.js';
import { hasPriors, logPrior } from '../../runtime/gp/prior.js';
import { diagVariances } from '../../runtime/gp/variances.js';
import { solveLower } from '../../runtime/kernels/cholesky.js';
import { inverseFromCholesky } from '../../runtime/gp/linalg.js';
import { lbfgs } from '../../runtime/learners/lbfgs.js';
import { ModelState } from '../../runtime/state.js';
import type { MoeData } from './data.js';
import { LOG_2PI } from './linalg.js';
import { chooseInducing, GP_INDUCING, inducingCount, inducingParam } from './expert-gp-sparse.js';

export const GP_TRAIN_X = 'gp.train_x';
export const GP_TRAIN_Y = 'gp.train_y';
/**
 * [K, n]: expert k's noise multiplier 1 / r_ik at each training point (what its posterior was
 * fitted with); 0: the point is left out of expert k's GP (r_ik below MIN_R).
 */
export const GP_SCALE = 'gp.scale';
/**
 * Points whose responsibility for an expert is below this are left out of its GP: their noise
 * would be over 1e6 times the expert's, and each expert factors only its own points' matrix.
 */
export const MIN_R = 1e-6;

export const expertPrefix = (k: number): string => `e${k}.`;

export interface GpExperts {
  readonly K: number;
  readonly D: number;
  readonly template: GPNode;
  /** The template's parameter names (unprefixed). */
  readonly names: readonly string[];
  /** The moe state whose values hold every expert's hyperparameters. */
  readonly state: ModelState;
}

export function gpTemplate(graph: IRGraph): GPNode {
  return JSON.parse(graph.nodes[0]!.kind === 'family' ? String(graph.nodes[0]!.options.gp) : '{}') as GPNode;
}

/** The GP parameters of the template, unprefixed, from expert 0's (shapes, bounds, priors). */
export function templateParams(graph: IRGraph): Record<string, IRParam> {
  const out: Record<string, IRParam> = {};
  const pre = expertPrefix(0);
  for (const [name, p] of Object.entries(graph.params)) if (name.startsWith(pre)) out[name.slice(pre.length)] = { ...p, name: name.slice(pre.length) };
  return out;
}

/** Expert k as a GP model state of its own (values copied from the moe state). */
export function expertState(g: GpExperts, k: number): ModelState {
  const params = templateParams(g.state.graph);
  const sub: IRGraph = { version: g.state.graph.version, family: 'gp', vars: g.state.graph.vars, params, nodes: [g.template], root: g.template.id };
  const s = new ModelState(sub);
  for (const n of g.names) s.values.get(n)!.set(g.state.values.get(expertPrefix(k) + n)!);
  return s;
}

export function writeBack(g: GpExperts, k: number, s: ModelState): void {
  for (const n of g.names) g.state.values.get(expertPrefix(k) + n)!.set(s.values.get(n)!);
}

/** Expert k's training points (those with a noise multiplier), and their indices among all stored points. */
export function trainData(g: GpExperts, k: number): GPData & { readonly idx: Int32Array } {
  const x = g.state.values.get(GP_TRAIN_X);
  const y = g.state.values.get(GP_TRAIN_Y);
  const sc = g.state.values.get(GP_SCALE);
  if (!x || !y || !sc) throw new Error('GP experts without training points (unfitted)');
  const N = y.length;
  const idx: number[] = [];
  for (let i = 0; i < N; i++) if (sc[k * N + i]! > 0) idx.push(i);
  const n = idx.length;
  const D = g.D;
  const xs = new Float64Array(n * D);
  idx.forEach((i, j) => xs.set(x.subarray(i * D, i * D + D), j * D));
  return { x: xs, y: Float64Array.from(idx, (i) => y[i]!), n, stride: D, task: new Int32Array(n), dropped: 0, noiseScale: Float64Array.from(idx, (i) => sc[k * N + i]!), idx: Int32Array.from(idx) };
}

type Posterior = { core: GPCore; post: ExactPosterior; d: GPData & { readonly idx: Int32Array } };
const posteriors = new WeakMap<ModelState, { key: string; post: Posterior[] }>();

function posteriorsOf(g: GpExperts): Posterior[] {
  const key = [...g.state.values.entries()].filter(([n]) => n !== GP_TRAIN_X && n !== GP_TRAIN_Y).map(([, v]) => Array.from(v).join(',')).join(';');
  const hit = posteriors.get(g.state);
  if (hit && hit.key === key) return hit.post;
  const post = Array.from({ length: g.K }, (_, k) => {
    const s = expertState(g, k);
    const core = new GPCore(s, g.template);
    const d = trainData(g, k);
    // an expert left with no points predicts from its prior
    const post: ExactPosterior = d.n ? exactPosterior(core, d) : { l: new Float64Array(0), alpha: new Float64Array(0), jitter: 0 };
    return { core, post, d };
  });
  posteriors.set(g.state, { key, post });
  return post;
}

/** Each expert's predictive mean and variance of y at the n points X (n x D): [n, K] each. */
export function gpMoments(g: GpExperts, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  const { K } = g;
  const mean = new Float64Array(n * K);
  const vars = new Float64Array(n * K);
  posteriorsOf(g).forEach(({ core, post, d }, k) => {
    const N = d.n;
    const ev = core.evaluator;
    const ks = new Float64Array(n * N);
    ev.value(ev.pairs(X, d.x, 0, n, N), ks);
    const v = new Float64Array(N * n);
    for (let i = 0; i < n; i++) {
      let s = core.meanAt(X, i);
      for (let j = 0; j < N; j++) {
        s += ks[i * N + j]! * post.alpha[j]!;
        v[j * n + i] = ks[i * N + j]!;
      }
      mean[i * K + k] = s;
    }
    solveLower(post.l, N, v, n);
    const { varY } = diagVariances(core, X, n, (i) => {
      let s = 0;
      for (let j = 0; j < N; j++) s += v[j * n + i]! ** 2;
      return s;
    });
    for (let i = 0; i < n; i++) vars[i * K + k] = varY[i]!;
  });
  return { mean, vars };
}

/**
 * Leave-one-out predictive moments of each expert at its own training points: mean
 * y_i - a_i / [K^-1]_ii and variance 1 / [K^-1]_ii - noise_i + sigma^2 (the latent's LOO variance
 * plus an unweighted observation's noise). The EM's E-step scores training points with these:
 * an in-sample predictive rewards experts that interpolate their own points (lengthscales and
 * noise collapse to 0).
 */
function gpLooMoments(g: GpExperts): { mean: Float64Array; vars: Float64Array } {
  // points left out of an expert's GP: its ordinary predictive is already leave-one-out
  const X = g.state.values.get(GP_TRAIN_X)!;
  const N = X.length / g.D;
  const { mean, vars } = gpMoments(g, X, N);
  posteriorsOf(g).forEach(({ core, post: p, d }, k) => {
    const n = d.n;
    const inv = Float64Array.from(p.l);
    inverseFromCholesky(inv, n);
    const sigma2 = core.noiseOf(0);
    for (let j = 0; j < n; j++) {
      const c = inv[j * n + j]!;
      const i = d.idx[j]!;
      mean[i * g.K + k] = d.y[j]! - p.alpha[j]! / c;
      vars[i * g.K + k] = Math.max(1 / c - sigma2 * d.noiseScale![j]!, 0) + sigma2;
    }
  });
  return { mean, vars };
}

/**
 * log f_k(y_i | x_i): each expert's predictive density (n x K); a missing y gives 0. `training`:
 * the rows are the stored training points, in order (the fit's E-step), scored leave-one-out.
 */
export function gpLogLik(g: GpExperts, d: MoeData, training = false, out = new Float64Array(d.n * g.K)): Float64Array {
  return gpLogLikFrom(g, d, training ? gpLooMoments(g) : gpMoments(g, d.X, d.n), out);
}

/** log N(y_i; mean, vars) per row and expert from the experts' moments ([n, K] each); a missing y gives 0. */
export function gpLogLikFrom(g: GpExperts, d: MoeData, moments: { mean: Float64Array; vars: Float64Array }, out = new Float64Array(d.n * g.K)): Float64Array {
  const { mean, vars } = moments;
  for (let i = 0; i < d.n; i++) {
    for (let k = 0; k < g.K; k++) {
      const y = d.Y[i]!;
      const v = vars[i * g.K + k]!;
      out[i * g.K + k] = Number.isNaN(y) ? 0 : -0.5 * (LOG_2PI + Math.log(v) + (y - mean[i * g.K + k]!) ** 2 / v);
    }
  }
  return out;
}

/** The training points and noise multipliers as parameters of a new moe graph (a fit's first step). */
export function withGpTraining(state: ModelState, d: MoeData, K: number): ModelState {
  const g = state.graph;
  const fixed = (name: string, shape: number[], value: ArrayLike<number>): IRParam => ({ name, shape, param: { kind: 'identity' }, value: Array.from(value), fixed: true, init: 'given' });
  // sparse GP experts: their shared inducing inputs too
  const M = inducingCount(g);
  const D = d.X.length / Math.max(1, d.n);
  const z = M === undefined ? undefined : chooseInducing(d, D, M);
  const params = { ...g.params, [GP_TRAIN_X]: fixed(GP_TRAIN_X, [d.n, D], d.X), [GP_TRAIN_Y]: fixed(GP_TRAIN_Y, [d.n], d.Y), [GP_SCALE]: fixed(GP_SCALE, [K, d.n], new Float64Array(K * d.n).fill(1)), ...(z ? { [GP_INDUCING]: inducingParam(z.z, z.m, D) } : {}) };
  const node = g.nodes[0]!;
  const nodes = [{ ...node, params: { ...(node.kind === 'family' ? node.params : {}), [GP_TRAIN_X]: GP_TRAIN_X, [GP_TRAIN_Y]: GP_TRAIN_Y, [GP_SCALE]: GP_SCALE, ...(z ? { [GP_INDUCING]: GP_INDUCING } : {}) } }];
  const out = new ModelState({ ...g, params, nodes } as IRGraph);
  for (const [k, v] of state.values) out.values.get(k)!.set(v);
  return out;
}

/** Data-based starting hyperparameters for every expert (those written in the model are kept). */
export function initGpExperts(g: GpExperts): void {
  for (let k = 0; k < g.K; k++) {
    const s = expertState(g, k);
    const d = trainData(g, k);
    initializeFromData(s, g.template, d, d.y);
    writeBack(g, k, s);
  }
}

/**
 * M-step of the GP experts: noise multipliers 1 / r_ik, then `steps` L-BFGS steps on each
 * expert's weighted log marginal likelihood plus ((n - sum_i r_ik) / 2) log sigma_k^2 (and log
 * priors) from its current hyperparameters. An expert whose hyperparameters are all fixed only takes the new weights.
 */
export function gpMStep(g: GpExperts, R: Float64Array, steps: number): void {
  const sc = g.state.values.get(GP_SCALE)!;
  const n = sc.length / g.K;
  for (let k = 0; k < g.K; k++) for (let i = 0; i < n; i++) sc[k * n + i] = R[i * g.K + k]! >= MIN_R ? 1 / R[i * g.K + k]! : 0;
  for (let k = 0; k < g.K; k++) {
    const s = expertState(g, k);
    const core = new GPCore(s, g.template);
    if (core.dim === 0) continue;
    const d = trainData(g, k);
    const m = d.n;
    if (m === 0) continue;
    const buf = new Float64Array(m * m);
    const priors = hasPriors(core);
    // sum_i r_i log N(y_i; f_i, s2) = sum_i log N(y_i; f_i, s2 / r_i) + ((n - sum r) / 2) log s2 + const:
    // the weighted GP's marginal likelihood plus this term is the expected complete-data objective
    // (without it every point, however foreign to the expert, pulls its noise towards 0)
    let mass = 0;
    for (let i = 0; i < m; i++) mass += 1 / d.noiseScale![i]!;
    const c = (m - mass) / 2;
    const noiseName = g.template.noise;
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      core.unpack(theta);
      try {
        const r = exactLml(core, d, true, buf);
        const s2 = core.noiseOf(0);
        r.grad!.get(noiseName)?.forEach((v, i, a) => (a[i] = v + c / s2));
        const lp = (priors ? logPrior(core, r.grad!) : 0) + c * Math.log(s2);
        grad.set(core.packGrad(r.grad!));
        for (let i = 0; i < grad.length; i++) grad[i] = -grad[i]!;
        if (!Number.isFinite(r.lml + lp) || grad.some((v) => !Number.isFinite(v))) return Infinity;
        return -(r.lml + lp);
      } catch (e) {
        if (e instanceof PmixError && e.code === 'not-positive-definite') return Infinity;
        throw e;
      }
    };
    const start = core.pack();
    const { lower, upper } = core.bounds();
    const run = lbfgs(objective, start, { maxIter: steps, lower, upper });
    let best = start;
    for (;;) {
      const r = run.next();
      if (r.done) {
        if (Number.isFinite(r.value.f)) best = Float64Array.from(r.value.x);
        break;
      }
      if (Number.isFinite(r.value.f)) best = Float64Array.from(r.value.x);
    }
    core.unpack(best);
    writeBack(g, k, s);
  }
}
