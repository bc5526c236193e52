// Leaf experts: any univariate stdlib leaf (Gamma, StudentT, LogNormal, Exponential, Beta,
// Laplace, Poisson, Bernoulli) whose parameters are each either a learned constant or
// link^-1(w . [x, 1]), the link the one of the parameter's domain (identity for a real
// parameter, log for a positive one, logit for one in (0, 1)). Stored uniformly as [K, R, D + 1]
// coefficients on the link scale: a constant parameter keeps its slopes at 0 (its intercept is
// its value on the link scale). The M-step is Newton on each expert's responsibility-weighted
// log-likelihood (newton.ts; the gradient from the leaf's own gradLogDensity through the link, the
// Hessian by central differences of that gradient), each step halved until the objective rises (and
// damped where the Hessian is not negative definite), so EM never falls.
import type { Parameterization } from '../../ir/types.js';
import type { UnivariateDist } from '../../stdlib/distributions/index.js';
import type { MoeData } from './data.js';
import { forEachExpertWeights, newtonAscent, type NewtonProblem } from './newton.js';

export type LeafLink = 'const' | 'identity' | 'log' | 'logit';

export interface LeafExperts {
  readonly K: number;
  readonly D: number;
  readonly dist: UnivariateDist;
  /** Per parameter role (dist.params order): 'const' or its link. */
  readonly links: readonly LeafLink[];
  /** [K, R, D + 1], the intercept last, on each parameter's link scale. */
  readonly coef: Float64Array;
}

/** The link of a parameter's domain (a constant parameter's intercept is on this scale too). */
export function domainLink(p: Parameterization): LeafLink | undefined {
  return p.kind === 'identity' ? 'identity' : p.kind === 'positive' ? 'log' : p.kind === 'unit' ? 'logit' : undefined;
}

const roles = (e: LeafExperts): number => e.dist.params.length;

/** theta = link^-1(eta) on the parameter's domain, and d theta / d eta. */
function inverse(p: Parameterization, eta: number): [number, number] {
  if (p.kind === 'positive') {
    const t = Math.exp(eta);
    return [t, t];
  }
  if (p.kind === 'unit') {
    const t = 1 / (1 + Math.exp(-eta));
    return [t, t * (1 - t)];
  }
  return [eta, 1];
}

/** The link-scale value of a natural-space parameter value (initialization). */
export function toLink(p: Parameterization, theta: number): number {
  if (p.kind === 'positive') return Math.log(theta);
  if (p.kind === 'unit') {
    const t = Math.min(Math.max(theta, 1e-9), 1 - 1e-9);
    return Math.log(t / (1 - t));
  }
  return theta;
}

/** theta (natural space) of expert k at input row X[off..], and d theta / d eta into `dt`. */
export function leafTheta(e: LeafExperts, b: ArrayLike<number>, X: ArrayLike<number>, off: number, theta: Float64Array, dt?: Float64Array): void {
  const M = e.D + 1;
  for (let r = 0; r < roles(e); r++) {
    let eta = b[r * M + e.D]!;
    if (e.links[r] !== 'const') for (let j = 0; j < e.D; j++) eta += b[r * M + j]! * X[off + j]!;
    const [t, d] = inverse(e.dist.params[r]!.param, eta);
    theta[r] = t;
    if (dt) dt[r] = d;
  }
}

const coefOf = (e: LeafExperts, k: number): Float64Array => e.coef.subarray(k * roles(e) * (e.D + 1), (k + 1) * roles(e) * (e.D + 1));

/** log f_k(y_i | x_i), n x K (0 where y is missing); `skip` as linearLogLik's. */
export function leafLogLik(e: LeafExperts, d: MoeData, out = new Float64Array(d.n * e.K), skip?: Float64Array): Float64Array {
  const theta = new Float64Array(roles(e));
  for (let k = 0; k < e.K; k++) {
    const b = coefOf(e, k);
    for (let i = 0; i < d.n; i++) {
      if (skip && skip[i * e.K + k] === -Infinity) {
        out[i * e.K + k] = -Infinity;
        continue;
      }
      const y = d.Y[i]!;
      if (Number.isNaN(y)) {
        out[i * e.K + k] = 0;
        continue;
      }
      leafTheta(e, b, d.X, i * e.D, theta);
      out[i * e.K + k] = e.dist.logDensity(y, theta, 0);
    }
  }
  return out;
}

/** Each expert's parameters at the points X: [n, K, R]. */
export function leafThetas(e: LeafExperts, X: Float64Array, n: number): Float64Array {
  const R = roles(e);
  const out = new Float64Array(n * e.K * R);
  const theta = new Float64Array(R);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < e.K; k++) {
      leafTheta(e, coefOf(e, k), X, i * e.D, theta);
      out.set(theta, (i * e.K + k) * R);
    }
  }
  return out;
}

/** Each expert's mean and variance at the points X: [n, K]. */
export function leafMoments(e: LeafExperts, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  const R = roles(e);
  const th = leafThetas(e, X, n);
  const mean = new Float64Array(n * e.K);
  const vars = new Float64Array(n * e.K);
  for (let r = 0; r < n * e.K; r++) {
    const t = th.subarray(r * R, (r + 1) * R);
    mean[r] = e.dist.mean(t, 0);
    vars[r] = e.dist.variance(t, 0);
  }
  return { mean, vars };
}

/** The free coefficients of one expert (offsets into its [R, D + 1] block): every one of a linked parameter, the intercept of a constant. */
export function freeIndices(e: LeafExperts): number[] {
  const M = e.D + 1;
  const out: number[] = [];
  for (let r = 0; r < roles(e); r++) for (let a = 0; a < M; a++) if (e.links[r] !== 'const' || a === e.D) out.push(r * M + a);
  return out;
}

/** sum_i c_i log f(y_i | theta(x_i; b)). */
export function leafObjective(e: LeafExperts, d: MoeData, c: ArrayLike<number>, b: ArrayLike<number>): number {
  const theta = new Float64Array(roles(e));
  let s = 0;
  for (let i = 0; i < d.n; i++) {
    if (!(c[i]! > 0) || Number.isNaN(d.Y[i]!)) continue;
    leafTheta(e, b, d.X, i * e.D, theta);
    s += c[i]! * e.dist.logDensity(d.Y[i]!, theta, 0);
  }
  return s;
}

/** Adds d/db of sum_i c_i log f(y_i | theta(x_i; b)) into grad ([R, D + 1]; a constant parameter's slopes get 0). */
export function leafGradient(e: LeafExperts, d: MoeData, c: ArrayLike<number>, b: ArrayLike<number>, grad: Float64Array): void {
  const R = roles(e);
  const M = e.D + 1;
  const theta = new Float64Array(R);
  const dt = new Float64Array(R);
  const g = new Float64Array(R);
  for (let i = 0; i < d.n; i++) {
    const y = d.Y[i]!;
    if (!(c[i]! > 0) || Number.isNaN(y)) continue;
    leafTheta(e, b, d.X, i * e.D, theta, dt);
    e.dist.gradLogDensity(y, theta, 0, g);
    for (let r = 0; r < R; r++) {
      const s = c[i]! * g[r]! * dt[r]!;
      grad[r * M + e.D] += s;
      if (e.links[r] !== 'const') for (let j = 0; j < e.D; j++) grad[r * M + j] += s * d.X[i * e.D + j]!;
    }
  }
}

/** Newton steps (at most `steps`) on expert k's weighted log-likelihood from its current coefficients; never lowers it. */
export function leafFitExpert(e: LeafExperts, k: number, d: MoeData, c: ArrayLike<number>, steps = 25): void {
  const b = coefOf(e, k);
  const free = freeIndices(e);
  const start = leafObjective(e, d, c, b);
  if (!Number.isFinite(start)) return;
  // the Newton unknowns are the free coefficients; the others (a constant's slopes) stay as in b
  const at = Float64Array.from(b);
  const embed = (x: Float64Array): Float64Array => {
    free.forEach((i, a) => (at[i] = x[a]!));
    return at;
  };
  const full = new Float64Array(b.length);
  const problem: NewtonProblem = {
    objective: (x) => leafObjective(e, d, c, embed(x)),
    derivatives(x, g) {
      full.fill(0);
      leafGradient(e, d, c, embed(x), full);
      free.forEach((i, a) => (g[a] = full[i]!));
    },
  };
  const x = Float64Array.from(free, (i) => b[i]!);
  newtonAscent(problem, x, { steps, hessian: 'differences', solve: 'damped', halvings: 40, tol: 1e-15, start });
  b.set(embed(x));
}

export function leafMStep(e: LeafExperts, d: MoeData, R: Float64Array, steps = 5): void {
  forEachExpertWeights(e.K, d.w, R, (k, c) => leafFitExpert(e, k, d, c, steps));
}

/**
 * A starting point for every expert before the first M-step: the leaf's own weighted MLE on all
 * the rows (its `fit`), as the intercepts of every parameter, slopes 0 (Newton from all-zero
 * link coefficients can start where a density is 0, e.g. a Beta at the edges).
 */
export function initLeafExperts(e: LeafExperts, d: MoeData): void {
  const ys: number[] = [];
  const ws: number[] = [];
  for (let i = 0; i < d.n; i++) {
    if (Number.isNaN(d.Y[i]!)) continue;
    ys.push(d.Y[i]!);
    ws.push(d.w[i]!);
  }
  const theta = e.dist.fit(Float64Array.from(ys), Float64Array.from(ws), undefined, 0, 1e-6);
  const M = e.D + 1;
  e.coef.fill(0);
  for (let k = 0; k < e.K; k++) for (let r = 0; r < roles(e); r++) e.coef[(k * roles(e) + r) * M + e.D] = toLink(e.dist.params[r]!.param, theta[r]!);
}
