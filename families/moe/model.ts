// A fitted (or fitting) mixture of experts as typed views on a ModelState's parameter values
// (learners write them in place), with the E-step: log p(k | x_i) + log f_k(y_i | x_i) for
// every row and expert, the responsibilities, the conditional log-likelihood of each row and
// the EM objective (conditional log-likelihood minus the softmax gate's ridge penalty; for the
// Gaussian gate the joint log-likelihood log p(x) + log p(y | x), what its EM maximizes).
import type { ModelState } from '../../runtime/state.js';
import type { MoeData } from './data.js';
import { gpLogLik, gpLogLikFrom, gpMoments, gpTemplate, type GpExperts } from './expert-gp.js';
import { sparseGpLooMoments, sparseGpMoments } from './expert-gp-sparse-em.js';
import { categoricalLogLik, categoricalPenalty, categoricalProbs, type CategoricalExperts } from './expert-categorical.js';
import { glmLogLik, glmMoments, type GlmExperts, type GlmKind } from './expert-glm.js';
import { expertMean, expertVar, linearLogLik, type LinearExperts } from './expert-linear.js';
import { gaussianLogGate, type GaussianGate } from './gate-gaussian.js';
import { softmaxLogGate, type SoftmaxGate } from './gate-softmax.js';
import { hmeGate, treeFan, treeLogGate, treePenalty, type TreeGate } from './gate-tree.js';
import { logSumExp } from './linalg.js';
import { leafLogLik, leafMoments, type LeafExperts, type LeafLink } from './expert-leaf.js';
import { univariateDistributions } from '../../stdlib/distributions/index.js';
import { gateLevel, P, specOf, type MoeSpec } from './spec.js';

export interface MoeModel {
  readonly spec: MoeSpec;
  readonly softmax?: SoftmaxGate;
  readonly gaussian?: GaussianGate;
  readonly tree?: TreeGate;
  /** Linear-Gaussian experts, or GP experts. */
  readonly linear?: LinearExperts;
  readonly gpx?: GpExperts;
  /** Poisson or Bernoulli experts (one output). */
  readonly glm?: GlmExperts;
  /** Categorical experts (one categorical output). */
  readonly cat?: CategoricalExperts;
  /** Leaf experts (a stdlib leaf with linked parameters, one output). */
  readonly leaf?: LeafExperts;
}

export function modelOf(state: ModelState): MoeModel {
  const spec = specOf(state.graph);
  const v = (name: string): Float64Array => {
    const x = state.values.get(name);
    if (!x) throw new Error(`no parameter '${name}'`);
    return x;
  };
  const { K, D } = spec;
  return {
    spec,
    ...(spec.gate === 'softmax'
      ? { softmax: { K, D, top: spec.top, ridge: spec.ridge, W: v(P.gateW) } }
      : spec.gate === 'tree'
        ? { tree: hmeGate(treeFan(K, spec.branches, spec.depth), D, spec.ridge, treeFan(K, spec.branches, spec.depth).map((_, l) => v(gateLevel(l)))) }
        : { gaussian: { K, D, pi: v(P.gatePi), mean: v(P.gateMean), cov: v(P.gateCov) } }),
    ...(spec.expert === 'leaf'
      ? { leaf: { K, D, dist: univariateDistributions.get(spec.leaf!)!, links: spec.links as LeafLink[], coef: v(P.coef) } }
      : spec.expert === 'multinomial'
      ? { cat: { K, D, L: spec.levels, ridge: spec.expertRidge, coef: v(P.coef) } }
      : spec.expert === 'poisson' || spec.expert === 'bernoulli'
      ? { glm: { K, D, kind: spec.expert as GlmKind, coef: v(P.coef) } }
      : spec.expert === 'linear'
      ? { linear: { K, D, P: spec.P, full: spec.noise === 'full', coef: v(P.coef), noise: v(P.noise) } }
      : { gpx: { K, D, template: gpTemplate(state.graph), names: Object.keys(gpTemplateParams(state)), state } }),
  };
}

function gpTemplateParams(state: ModelState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(state.graph.params)) if (name.startsWith('e0.')) out[name.slice(3)] = true;
  return out;
}

/** log f_k(y_i | x_i) for every row and expert (n x K); `training`: d is the fit's rows (GP experts score them leave-one-out). */
export function expertLogLik(m: MoeModel, d: MoeData, training = false, skip?: Float64Array): Float64Array {
  if (m.glm) return glmLogLik(m.glm, d, undefined, skip);
  if (m.leaf) return leafLogLik(m.leaf, d, undefined, skip);
  if (m.cat) return categoricalLogLik(m.cat, d, undefined, skip);
  if (m.gpx && m.spec.inducing !== undefined) return gpLogLikFrom(m.gpx, d, training ? sparseGpLooMoments(m.gpx) : sparseGpMoments(m.gpx, d.X, d.n));
  return m.linear ? linearLogLik(m.linear, d, undefined, skip) : gpLogLik(m.gpx!, d, training);
}

/** Each expert's predictive mean and variance of every output at the points X: [n, K, P] each. */
export function expertMoments(m: MoeModel, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  if (m.gpx) return m.spec.inducing !== undefined ? sparseGpMoments(m.gpx, X, n) : gpMoments(m.gpx, X, n);
  if (m.glm) return glmMoments(m.glm, X, n);
  if (m.leaf) return leafMoments(m.leaf, X, n);
  if (m.cat) return categoricalMoments(m.cat, X, n);
  const e = m.linear!;
  const { K, P, D } = e;
  const mean = new Float64Array(n * K * P);
  const vars = new Float64Array(n * K * P);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      for (let p = 0; p < P; p++) {
        mean[(i * K + k) * P + p] = expertMean(e, k, p, X, i * D);
        vars[(i * K + k) * P + p] = expertVar(e, k, p);
      }
    }
  }
  return { mean, vars };
}

/** log p(k | x_i), n x K; `logPx` receives log p(x_i) under a Gaussian gate. */
export function logGate(m: MoeModel, X: Float64Array, n: number, logPx?: Float64Array): Float64Array {
  if (m.softmax) return softmaxLogGate(m.softmax, X, n);
  if (m.tree) return treeLogGate(m.tree, X, n);
  return gaussianLogGate(m.gaussian!, X, n, undefined, logPx);
}

export interface EStep {
  /** Responsibilities p(k | x_i, y_i), n x K. */
  readonly R: Float64Array;
  /** log p(y_i | x_i) per row. */
  readonly cond: Float64Array;
  /** The EM objective over the rows (weighted), see the file's head. */
  readonly objective: number;
  /** The weighted sum of log p(y_i | x_i). */
  readonly condTotal: number;
}

/** `training`: d holds the fit's own rows (GP experts' stored points, in order). */
export function eStep(m: MoeModel, d: MoeData, training = false): EStep {
  const K = m.spec.K;
  const logPx = m.gaussian ? new Float64Array(d.n) : undefined;
  const a = logGate(m, d.X, d.n, logPx);
  // a top-K gate's zero weights: those experts are not evaluated at that row
  const f = expertLogLik(m, d, training, m.softmax && m.softmax.top < m.spec.K ? a : undefined);
  const cond = new Float64Array(d.n);
  const R = new Float64Array(d.n * K);
  let condTotal = 0;
  let objective = 0;
  for (let i = 0; i < d.n; i++) {
    for (let k = 0; k < K; k++) a[i * K + k] = a[i * K + k]! + f[i * K + k]!;
    const lz = logSumExp(a, i * K, K);
    cond[i] = lz;
    for (let k = 0; k < K; k++) R[i * K + k] = lz === -Infinity ? 1 / K : Math.exp(a[i * K + k]! - lz);
    condTotal += d.w[i]! * lz;
    objective += d.w[i]! * (lz + (logPx ? logPx[i]! : 0));
  }
  if (m.softmax) {
    const { W, K: k, D } = m.softmax;
    let s = 0;
    for (let r = 0; r < k - 1; r++) for (let j = 0; j < D; j++) s += W[r * (D + 1) + j]! ** 2;
    objective -= 0.5 * m.softmax.ridge * s;
  }
  if (m.tree) objective -= treePenalty(m.tree);
  if (m.cat) objective -= categoricalPenalty(m.cat);
  return { R, cond, objective, condTotal };
}

/** Categorical experts' "mean" and variance of the level number (0-based), [n, K]: what predict's mean / sd report; p per level is in `levelProbs`. */
function categoricalMoments(e: CategoricalExperts, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  const p = categoricalProbs(e, X, n);
  const mean = new Float64Array(n * e.K);
  const vars = new Float64Array(n * e.K);
  for (let r = 0; r < n * e.K; r++) {
    let s = 0;
    let ss = 0;
    for (let l = 0; l < e.L; l++) {
      s += l * p[r * e.L + l]!;
      ss += l * l * p[r * e.L + l]!;
    }
    mean[r] = s;
    vars[r] = Math.max(ss - s * s, 0);
  }
  return { mean, vars };
}
