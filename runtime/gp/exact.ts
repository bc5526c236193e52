// The exact GP: log marginal likelihood and its analytic gradient, and the posterior
// (Cholesky factor and weights) that predictions use.
//   lml = -1/2 r^T K^-1 r - 1/2 log det K - n/2 log 2 pi,  r = y - m(x),  K = k(X, X) + noise
//   d lml / d theta = 1/2 sum_ij (a a^T - K^-1)_ij dK_ij/d theta,  a = K^-1 r
// Outputs are on the normalized scale when the node normalizes them; see lmlOriginal.
import { logDetChol, solveLower, solveLowerT } from '../kernels/cholesky.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';
import { fusedFill, fusedGrad, fusedPlan } from './exact-fused.js';
import { factorWithJitter, type Factor } from './factor.js';
import { inverseJs, inverseLowerFromCholesky } from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);
const BLOCK = 64;

export interface LmlResult {
  readonly lml: number;
  /** Natural-unit gradients of the free hyperparameters, when asked for. */
  readonly grad?: Map<string, Float64Array>;
  readonly jitter: number;
  readonly reason?: string;
}

/**
 * Fills the lower triangle of buf (n x n, what the Cholesky reads) with k(X, X) + noise on
 * the diagonal: each block of rows against the columns up to its last row only.
 */
export function fillTrainCov(core: GPCore, d: GPData, buf: Float64Array, opts: ExactOptions = {}): void {
  const n = d.n;
  const plan = opts.fused === false ? null : fusedPlan(core);
  if (plan) fusedFill(plan, core, d, buf);
  else {
    const ev = core.evaluator;
    const tmp = new Float64Array(BLOCK * n);
    for (let r0 = 0; r0 < n; r0 += BLOCK) {
      const r1 = Math.min(n, r0 + BLOCK);
      ev.value(ev.pairs(d.x, d.x, r0, r1, r1, { same: true }), tmp);
      for (let i = r0; i < r1; i++) buf.set(tmp.subarray((i - r0) * r1, (i - r0) * r1 + i + 1), i * n);
    }
  }
  for (let i = 0; i < n; i++) buf[i * n + i] += core.noiseOf(d.task[i]!) * (d.noiseScale ? d.noiseScale[i]! : 1);
}

/** r = y - m(x) on the GP's scale. */
export function residuals(core: GPCore, d: GPData): Float64Array {
  const r = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) r[i] = d.y[i]! - core.meanAt(d.x, i);
  return r;
}

export function factorTrain(core: GPCore, d: GPData, buf?: Float64Array, opts: ExactOptions = {}): Factor {
  return factorWithJitter((b) => fillTrainCov(core, d, b, opts), d.n, { x: d.x, d: d.stride, atBound: core.atBound() }, buf);
}

export interface ExactOptions {
  /**
   * false: the kernel matrix and its gradient through the general kernel evaluator (the
   * reference) even where exact-fused.ts covers the kernel; the inverse by the plain JS loops.
   */
  readonly fused?: boolean;
}

/** The LML (and gradient) at the state's current hyperparameters. `buf` (n x n) is reused. */
export function exactLml(core: GPCore, d: GPData, wantGrad: boolean, buf?: Float64Array, opts: ExactOptions = {}): LmlResult {
  const n = d.n;
  const f = factorTrain(core, d, buf, opts);
  const l = f.l;
  const r = residuals(core, d);
  const a = Float64Array.from(r);
  solveLower(l, n, a, 1);
  solveLowerT(l, n, a, 1);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += r[i]! * a[i]!;
  const lml = -0.5 * quad - 0.5 * logDetChol(l, n) - 0.5 * n * LOG_2PI;
  const base = { lml, jitter: f.jitter, ...(f.reason ? { reason: f.reason } : {}) };
  if (!wantGrad) return base;
  if (opts.fused === false) inverseJs(l, n);
  else inverseLowerFromCholesky(l, n); // l now holds K^-1 (its lower triangle)
  const grad = core.gradBuffers();
  const plan = opts.fused === false ? null : fusedPlan(core);
  if (plan) fusedGrad(plan, core, d, a, l, grad);
  else kernelGrad(core, d, a, l, grad);
  const gn = grad.get(core.node.noise);
  if (gn) for (let i = 0; i < n; i++) gn[gn.length === 1 ? 0 : d.task[i]!] += 0.5 * (a[i]! * a[i]! - l[i * n + i]!) * (d.noiseScale ? d.noiseScale[i]! : 1);
  const m = core.node.mean;
  if (m.kind === 'constant') {
    const g = grad.get(m.c);
    if (g) for (let i = 0; i < n; i++) g[0] += a[i]!;
  } else if (m.kind === 'linear') {
    const gw = grad.get(m.w);
    const gb = grad.get(m.b);
    for (let i = 0; i < n; i++) {
      if (gb) gb[0] += a[i]!;
      if (gw) for (let k = 0; k < core.inputs; k++) gw[k] += a[i]! * d.x[i * d.stride + k]!;
    }
  }
  return { ...base, grad };
}

/** The kernel part of the gradient through the general evaluator, in blocks of rows (the reference). */
function kernelGrad(core: GPCore, d: GPData, a: Float64Array, l: Float64Array, grad: ReadonlyMap<string, Float64Array>): void {
  const n = d.n;
  const ev = core.evaluator;
  const w = new Float64Array(BLOCK * n);
  // W is symmetric: the lower triangle with off-diagonal weights doubled covers every pair.
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const r1 = Math.min(n, r0 + BLOCK);
    const wb = w.subarray(0, (r1 - r0) * r1);
    for (let i = r0; i < r1; i++) {
      const ai = a[i]!;
      const row = (i - r0) * r1;
      for (let j = 0; j < i; j++) wb[row + j] = ai * a[j]! - l[i * n + j]!;
      wb[row + i] = 0.5 * (ai * ai - l[i * n + i]!);
      for (let j = i + 1; j < r1; j++) wb[row + j] = 0;
    }
    ev.grad(ev.pairs(d.x, d.x, r0, r1, r1, { same: true }), wb, grad);
  }
}

/** What predictions need: the factor of K and a = K^-1 (y - m(x)). */
export interface ExactPosterior {
  readonly l: Float64Array;
  readonly alpha: Float64Array;
  readonly jitter: number;
  readonly reason?: string;
}

export function exactPosterior(core: GPCore, d: GPData): ExactPosterior {
  const f = factorTrain(core, d);
  const alpha = residuals(core, d);
  solveLower(f.l, d.n, alpha, 1);
  solveLowerT(f.l, d.n, alpha, 1);
  return { l: f.l, alpha, jitter: f.jitter, ...(f.reason ? { reason: f.reason } : {}) };
}
