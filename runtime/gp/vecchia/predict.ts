// Vecchia predictions: a new point conditions on its m nearest training points (the same
// scaled distance as the fit's neighbour sets), mean m(x*) + k*c A^-1 r_c and variance
// k** - k*c A^-1 kc* with A = K_cc + noise. Joint queries (a covariance, for samples)
// condition every asked point on the union of their neighbour sets (at most 5,000 points).
import { PmixError } from '../../errors.js';
import type { GPCore } from '../core.js';
import { diagVariances, type Prediction } from '../variances.js';
import { KdTree } from './kdtree.js';
import { backward, forward, smallCholesky } from './likelihood.js';
import { columnScales, scaled, type VecchiaSetup } from './ordering.js';

/** The most training points a joint (covariance) prediction conditions on. */
export const VECCHIA_JOINT_MAX = 5000;

/** A neighbour search over a setup's training points, built once per fitted model. */
export class VecchiaNeighbours {
  private readonly tree: KdTree;
  private readonly inv: Float64Array;
  private readonly q: Float64Array;

  constructor(readonly setup: VecchiaSetup) {
    const { x, n, D } = setup;
    this.inv = columnScales(x, n, D);
    this.tree = new KdTree(scaled(x, n, D, this.inv), n, D);
    this.q = new Float64Array(D);
  }

  /** The k nearest training points (ordered indices) of row i of xs. */
  nearest(xs: Float64Array, i: number, k: number, out: Int32Array): number {
    const D = this.setup.D;
    for (let c = 0; c < D; c++) this.q[c] = xs[i * D + c]! * this.inv[c]!;
    return this.tree.knn(this.q, 0, k, this.setup.n, out);
  }
}

/** Mean, variances (and covariance) of f at xs conditioned on training points `set` (ordered indices). */
function conditionOn(core: GPCore, s: VecchiaSetup, set: ArrayLike<number>, k: number, xs: Float64Array, r0: number, r1: number, wantCov: boolean): { mean: Float64Array; explained: Float64Array; cov?: Float64Array } {
  const D = s.D;
  const ev = core.evaluator;
  const xc = new Float64Array(k * D);
  const rc = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    const p = set[t]!;
    for (let c = 0; c < D; c++) xc[t * D + c] = s.x[p * D + c]!;
    rc[t] = s.y[p]! - core.meanAt(s.x, p);
  }
  const a = new Float64Array(k * k);
  ev.value(ev.pairs(xc, xc, 0, k, k, { same: true }), a);
  const noise = core.noiseOf(0);
  for (let t = 0; t < k; t++) a[t * k + t] += noise;
  if (!smallCholesky(a, k)) throw new PmixError(`the covariance of the ${k} training points nearest a predicted point is not positive definite`, 'not-positive-definite', 'refit with more noise');
  forward(a, k, k, rc);
  backward(a, k, k, rc); // rc = A^-1 r_c
  const M = r1 - r0;
  const ks = new Float64Array(M * k);
  ev.value(ev.pairs(xs, xc, r0, r1, k), ks);
  const mean = new Float64Array(M);
  const explained = new Float64Array(M);
  const v = new Float64Array(M * k);
  for (let i = 0; i < M; i++) {
    let m = core.meanAt(xs, r0 + i);
    for (let t = 0; t < k; t++) m += ks[i * k + t]! * rc[t]!;
    mean[i] = m;
    const vi = v.subarray(i * k, i * k + k);
    vi.set(ks.subarray(i * k, i * k + k));
    forward(a, k, k, vi);
    let e = 0;
    for (let t = 0; t < k; t++) e += vi[t]! * vi[t]!;
    explained[i] = e;
  }
  if (!wantCov) return { mean, explained };
  const cov = new Float64Array(M * M);
  ev.value(ev.pairs(xs, xs, r0, r1, M), cov);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < M; j++) {
      let e = 0;
      for (let t = 0; t < k; t++) e += v[i * k + t]! * v[j * k + t]!;
      cov[i * M + j] -= e;
    }
  }
  return { mean, explained, cov };
}

/** Predictions at the M rows of xs on the GP's (normalized) scale, each point from its m nearest training points. */
export function vecchiaPredictScaled(core: GPCore, s: VecchiaSetup, m: number, xs: Float64Array, M: number, opts: { cov?: boolean } = {}, nbrs?: VecchiaNeighbours): Prediction {
  const search = nbrs ?? new VecchiaNeighbours(s);
  const k = Math.min(m, s.n);
  const set = new Int32Array(k);
  if (opts.cov) {
    const union = new Set<number>();
    for (let i = 0; i < M; i++) {
      const c = search.nearest(xs, i, k, set);
      for (let t = 0; t < c; t++) union.add(set[t]!);
    }
    if (union.size > VECCHIA_JOINT_MAX) throw new PmixError(`joint predictions (samples) of ${M} points condition on the union of their neighbour sets: ${union.size} training points, over ${VECCHIA_JOINT_MAX}`, 'too-large', 'ask for samples at fewer points');
    const u = Array.from(union).sort((a, b) => a - b);
    const r = conditionOn(core, s, u, u.length, xs, 0, M, true);
    return { m: M, mean: r.mean, ...diagVariances(core, xs, M, (i) => r.explained[i]!), cov: r.cov! };
  }
  const mean = new Float64Array(M);
  const explained = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    const c = search.nearest(xs, i, k, set);
    const r = conditionOn(core, s, set, c, xs, i, i + 1, false);
    mean[i] = r.mean[0]!;
    explained[i] = r.explained[0]!;
  }
  return { m: M, mean, ...diagVariances(core, xs, M, (i) => explained[i]!) };
}
