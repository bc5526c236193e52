// Categorical experts for one categorical output with L levels: a softmax GLM per expert,
// p(y = l | x, k) = softmax_l(b_kl . [x, 1]) with level 1 (the first) the reference (its vector 0),
// so each expert carries L - 1 coefficient vectors. The M-step is weighted Newton (IRLS) on
// sum_i w_i r_ik log p(y_i | x_i, k) - (ridge / 2) |slopes|^2: the softmax gate's Newton fit
// (gate-softmax.ts) with one-hot targets, so a step never lowers the objective (generalized EM).
// The ridge keeps a level that some expert separates perfectly from sending its slopes to infinity.
import type { MoeData } from './data.js';
import { softmaxLogGate, softmaxMStep, type SoftmaxGate } from './gate-softmax.js';
import { forEachExpertWeights } from './newton.js';

export interface CategoricalExperts {
  readonly K: number;
  readonly D: number;
  /** Levels of the output (>= 2). */
  readonly L: number;
  readonly ridge: number;
  /** [K, L - 1, D + 1]: levels 2..L, the intercept last. */
  readonly coef: Float64Array;
}

/** Expert k as a softmax over the levels, reordered so that the reference (level 1) is the last row (the gate's convention). */
function asGate(e: CategoricalExperts, k: number): SoftmaxGate {
  const M1 = e.D + 1;
  const W = new Float64Array(e.L * M1);
  W.set(e.coef.subarray(k * (e.L - 1) * M1, (k + 1) * (e.L - 1) * M1));
  return { K: e.L, D: e.D, top: e.L, ridge: e.ridge, W };
}

/** The gate's class of level y (0-based level; the reference level 0 is class L - 1). */
const classOf = (L: number, y: number): number => (y === 0 ? L - 1 : y - 1);

/** log p(y = l | x_i, k) for every row, expert and level: [n, K, L]. */
export function categoricalLogProbs(e: CategoricalExperts, X: Float64Array, n: number): Float64Array {
  const { K, L } = e;
  const out = new Float64Array(n * K * L);
  const lg = new Float64Array(n * L);
  for (let k = 0; k < K; k++) {
    softmaxLogGate(asGate(e, k), X, n, lg);
    for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) out[(i * K + k) * L + l] = lg[i * L + classOf(L, l)]!;
  }
  return out;
}

/** log f_k(y_i | x_i), n x K (0 where the output is missing); `skip`: a top-K gate's zeros are not evaluated. */
export function categoricalLogLik(e: CategoricalExperts, d: MoeData, out = new Float64Array(d.n * e.K), skip?: Float64Array): Float64Array {
  const lp = categoricalLogProbs(e, d.X, d.n);
  for (let i = 0; i < d.n; i++) {
    const y = d.Y[i]!;
    for (let k = 0; k < e.K; k++) out[i * e.K + k] = skip && skip[i * e.K + k] === -Infinity ? -Infinity : Number.isNaN(y) ? 0 : lp[(i * e.K + k) * e.L + y]!;
  }
  return out;
}

/** (ridge / 2) times the squared slopes of every expert, subtracted from the EM objective. */
export function categoricalPenalty(e: CategoricalExperts): number {
  let s = 0;
  const M1 = e.D + 1;
  for (let r = 0; r < e.K * (e.L - 1); r++) for (let j = 0; j < e.D; j++) s += e.coef[r * M1 + j]! ** 2;
  return 0.5 * e.ridge * s;
}

/** Newton steps for expert k with row weights c (at most `steps`). */
export function categoricalFitExpert(e: CategoricalExperts, k: number, d: MoeData, c: Float64Array, steps = 25): void {
  const { L } = e;
  const g = asGate(e, k);
  const R = new Float64Array(d.n * L);
  const w = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const y = d.Y[i]!;
    if (Number.isNaN(y)) continue;
    R[i * L + classOf(L, y)] = 1;
    w[i] = c[i]!;
  }
  softmaxMStep(g, { n: d.n, X: d.X, Y: d.Y, w }, R, steps);
  const M1 = e.D + 1;
  e.coef.set(g.W.subarray(0, (L - 1) * M1), k * (L - 1) * M1);
}

export function categoricalMStep(e: CategoricalExperts, d: MoeData, R: Float64Array, steps = 5): void {
  forEachExpertWeights(e.K, d.w, R, (k, c) => categoricalFitExpert(e, k, d, c, steps));
}

/** Each expert's level probabilities at the points X: [n, K, L]. */
export function categoricalProbs(e: CategoricalExperts, X: Float64Array, n: number): Float64Array {
  return categoricalLogProbs(e, X, n).map(Math.exp);
}
