// Variational EM of the cluster-specific multitask GP ("Cluster-Specific Predictions with
// Multi-Task Gaussian Processes"), with learned hyperparameters. Task i in cluster c is
// y_i(t) = mu_c(t) + f_i(t) + noise, mu_c ~ GP(0, k_mean), f_i ~ GP(0, k_task), so given its
// cluster y_i ~ N(mu_c(t_i), Psi_i), Psi_i = k_task(t_i, t_i) + s^2 I. q(mu_c) is Gaussian on the
// union grid of every task's inputs and q(cluster of task i) = tau_ic. One iteration raises the
// evidence lower bound
//   ELBO = sum_i sum_c tau_ic [log pi_c + E_q log N(y_i; mu_c(t_i), Psi_i) - log tau_ic] - sum_c KL(q(mu_c) || p(mu_c))
// in four steps, each a maximization (or an L-BFGS descent on its negative) of it over one block:
// q(mu_c) (Gaussian, closed form), pi (the mean responsibilities), the hyperparameters (L-BFGS
// steps on the terms that depend on them, q and tau held), tau (a softmax). With nothing to
// learn it is the library form (library.ts).
import { chol, cholJitter, cholSolve, logDet, logSumExp, LOG_2PI } from '../moe/index.js';
import { lbfgs } from '../../runtime/learners/lbfgs.js';
import type { Rng } from '../../stdlib/random.js';
import { gram, gramDLogLs, type Rbf } from './kernel.js';

export interface Task {
  readonly t: readonly number[];
  readonly y: readonly number[];
}

/** The five hyperparameters, in this order everywhere (IR parameters, the L-BFGS vector). */
export const HYPER = ['mean_kernel.variance', 'mean_kernel.ls', 'kernel.variance', 'kernel.ls', 'noise'] as const;
export type Hyper = Float64Array;

export const meanKernel = (h: Hyper): Rbf => ({ variance: h[0]!, lengthscale: h[1]! });
export const taskKernel = (h: Hyper): Rbf => ({ variance: h[2]!, lengthscale: h[3]! });

export function inverse(a: Float64Array, n: number): Float64Array {
  const l = cholJitter(a, n);
  const inv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const e = new Float64Array(n);
    e[c] = 1;
    inv.set(cholSolve(l, n, e), c * n);
  }
  return inv;
}

/** log N(y; m, S) with S's Cholesky factor l. */
export function logNormal(y: ArrayLike<number>, m: ArrayLike<number>, l: Float64Array, n: number): number {
  const r = Float64Array.from({ length: n }, (_, i) => y[i]! - m[i]!);
  const z = cholSolve(l, n, Float64Array.from(r));
  let q = 0;
  for (let i = 0; i < n; i++) q += r[i]! * z[i]!;
  return -0.5 * (n * LOG_2PI + logDet(l, n) + q);
}

export function unionGrid(tasks: readonly Task[]): Float64Array {
  return Float64Array.from(new Set(tasks.flatMap((x) => x.t))).sort();
}

/** Each cluster's q(mu_c) on the grid from the responsibilities: precision K^-1 + sum_i tau_ic P_i' Psi_i^-1 P_i. */
export function clusterPosteriors(tasks: readonly Task[], at: readonly (readonly number[])[], tau: Float64Array, C: number, G: number, Kinv: Float64Array, psiInv: readonly Float64Array[]): { means: Float64Array[]; covs: Float64Array[] } {
  const N = tasks.length;
  const means: Float64Array[] = [];
  const covs: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const A = Float64Array.from(Kinv);
    const b = new Float64Array(G);
    tasks.forEach((x, i) => {
      const w = tau[c * N + i]!;
      if (w < 1e-12) return;
      const n = x.t.length;
      for (let a = 0; a < n; a++) {
        for (let z = 0; z < n; z++) {
          A[at[i]![a]! * G + at[i]![z]!] += w * psiInv[i]![a * n + z]!;
          b[at[i]![a]!] += w * psiInv[i]![a * n + z]! * x.y[z]!;
        }
      }
    });
    const cov = inverse(A, G);
    const m = new Float64Array(G);
    for (let a = 0; a < G; a++) for (let z = 0; z < G; z++) m[a] += cov[a * G + z]! * b[z]!;
    means.push(m);
    covs.push(cov);
  }
  return { means, covs };
}

function psiOf(h: Hyper, t: readonly number[]): Float64Array {
  const n = t.length;
  const S = gram(taskKernel(h), t, t);
  for (let j = 0; j < n; j++) S[j * n + j] += h[4]!;
  return S;
}

/** tr(A B) of two symmetric n x n matrices. */
function trProd(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n * n; i++) s += a[i]! * b[i]!;
  return s;
}

/** A^-1 M A^-1 - w A^-1 from A's inverse: the gradient weight of -0.5 (w log|A| + tr(A^-1 M)). */
function gradWeight(inv: Float64Array, M: Float64Array, n: number, w: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const v = inv[i * n + k]!;
    if (v === 0) continue;
    for (let j = 0; j < n; j++) t[i * n + j] += v * M[k * n + j]!;
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const v = t[i * n + k]!;
    if (v === 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] += v * inv[k * n + j]!;
  }
  for (let i = 0; i < n * n; i++) out[i] -= w * inv[i]!;
  return out;
}

export interface VemSetup {
  readonly clusters: number;
  /** Starting hyperparameters (HYPER's order) and which of them are learned. */
  readonly hyper: ArrayLike<number>;
  readonly free: readonly boolean[];
  /** L-BFGS steps on the hyperparameters per iteration. */
  readonly steps: number;
}

/** One run (restart) of variational EM; `iterate` returns the ELBO after its four steps. */
export class VemRun {
  readonly C: number;
  readonly N: number;
  readonly G: number;
  readonly grid: Float64Array;
  readonly at: number[][];
  readonly hyper: Float64Array;
  readonly tau: Float64Array;
  readonly pi: Float64Array;
  means: Float64Array[] = [];
  covs: Float64Array[] = [];
  private psiInv: Float64Array[] = [];
  private psiChol: Float64Array[] = [];
  private Kinv: Float64Array = new Float64Array(0);
  /** Lower and upper bounds of the log hyperparameters. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(readonly tasks: readonly Task[], readonly setup: VemSetup) {
    this.C = setup.clusters;
    this.N = tasks.length;
    this.grid = unionGrid(tasks);
    this.G = this.grid.length;
    const index = new Map<number, number>();
    this.grid.forEach((v, i) => index.set(v, i));
    this.at = tasks.map((x) => x.t.map((v) => index.get(v)!));
    this.hyper = Float64Array.from(setup.hyper);
    this.tau = new Float64Array(this.C * this.N);
    this.pi = new Float64Array(this.C);
    const span = this.G > 1 ? this.grid[this.G - 1]! - this.grid[0]! : 1;
    let gap = span;
    for (let g = 1; g < this.G; g++) gap = Math.min(gap, this.grid[g]! - this.grid[g - 1]!);
    // lengthscales between a tenth of the closest inputs' gap and 100 times their span; scales in [1e-8, 1e8]
    this.lo = Float64Array.from([-18.4, Math.log(gap / 10), -18.4, Math.log(gap / 10), -18.4]);
    this.hi = Float64Array.from([18.4, Math.log(100 * span), 18.4, Math.log(100 * span), 18.4]);
  }

  /** Random soft starting responsibilities (the library form's). */
  init(rng: Rng): void {
    const { C, N, tau } = this;
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += tau[c * N + i] = rng.uniform() + (rng.uniform() < 1 / C ? 2 : 0);
      for (let c = 0; c < C; c++) tau[c * N + i] /= s;
    }
  }

  /** Psi_i's inverses and factors and K^-1 at the current hyperparameters. */
  factor(): void {
    const h = this.hyper;
    this.psiInv = this.tasks.map((x) => inverse(psiOf(h, x.t), x.t.length));
    this.psiChol = this.tasks.map((x) => cholJitter(psiOf(h, x.t), x.t.length));
    this.Kinv = inverse(gram(meanKernel(h), this.grid, this.grid), this.G);
  }

  /** The M-steps of q(mu) and pi from the current responsibilities. */
  mStep(): void {
    const { C, N, G } = this;
    const q = clusterPosteriors(this.tasks, this.at, this.tau, C, G, this.Kinv, this.psiInv);
    this.means = q.means;
    this.covs = q.covs;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += this.tau[c * N + i]!;
      this.pi[c] = s / N;
    }
  }

  /** The responsibilities from q(mu) and pi; returns sum_i log sum_c exp(logit_ic). */
  eStep(): number {
    const { C, N, G } = this;
    const logits = new Float64Array(C);
    let total = 0;
    this.tasks.forEach((x, i) => {
      const n = x.t.length;
      for (let c = 0; c < C; c++) {
        const mi = this.at[i]!.map((g) => this.means[c]![g]!);
        let tr = 0;
        for (let a = 0; a < n; a++) for (let z = 0; z < n; z++) tr += this.psiInv[i]![a * n + z]! * this.covs[c]![this.at[i]![z]! * G + this.at[i]![a]!]!;
        logits[c] = Math.log(this.pi[c]!) + logNormal(x.y, mi, this.psiChol[i]!, n) - 0.5 * tr;
      }
      const lz = logSumExp(logits, 0, C);
      total += lz;
      for (let c = 0; c < C; c++) this.tau[c * N + i] = Math.exp(logits[c]! - lz);
    });
    return total;
  }

  /** sum_c KL(q(mu_c) || N(0, K)) on the grid. */
  kl(): number {
    const { G } = this;
    const lK = cholJitter(gram(meanKernel(this.hyper), this.grid, this.grid), G);
    let s = 0;
    for (let c = 0; c < this.C; c++) {
      const S = Float64Array.from(this.covs[c]!);
      const m = this.means[c]!;
      for (let a = 0; a < G; a++) for (let b = 0; b < G; b++) S[a * G + b] += m[a]! * m[b]!;
      const lC = cholJitter(Float64Array.from(this.covs[c]!), G);
      s += 0.5 * (trProd(this.Kinv, S, G) - G + logDet(lK, G) - logDet(lC, G));
    }
    return s;
  }

  /** The ELBO at the current q, pi, tau and hyperparameters. */
  elbo(): number {
    const { C, N, G } = this;
    let s = 0;
    this.tasks.forEach((x, i) => {
      const n = x.t.length;
      for (let c = 0; c < C; c++) {
        const w = this.tau[c * N + i]!;
        if (w === 0) continue;
        const mi = this.at[i]!.map((g) => this.means[c]![g]!);
        let tr = 0;
        for (let a = 0; a < n; a++) for (let z = 0; z < n; z++) tr += this.psiInv[i]![a * n + z]! * this.covs[c]![this.at[i]![z]! * G + this.at[i]![a]!]!;
        s += w * (Math.log(this.pi[c]!) + logNormal(x.y, mi, this.psiChol[i]!, n) - 0.5 * tr - Math.log(w));
      }
    });
    return s - this.kl();
  }

  /**
   * L-BFGS steps on the hyperparameters' part of the ELBO with q(mu), pi and tau held:
   * -0.5 sum_c [tr(K^-1 (C_c + m_c m_c')) + log|K|] (the mean kernel) plus
   * -0.5 sum_i [log|Psi_i| + tr(Psi_i^-1 M_i)], M_i = sum_c tau_ic [(y_i - m_c)(y_i - m_c)' + C_c(t_i)].
   */
  hyperObjective(free: readonly number[]): (z: Float64Array, g: Float64Array) => number {
    const { C, N, G, grid } = this;
    const Ssum = new Float64Array(G * G);
    for (let c = 0; c < C; c++) {
      const m = this.means[c]!;
      for (let a = 0; a < G; a++) for (let b = 0; b < G; b++) Ssum[a * G + b] += this.covs[c]![a * G + b]! + m[a]! * m[b]!;
    }
    const M = this.tasks.map((x, i) => {
      const n = x.t.length;
      const out = new Float64Array(n * n);
      for (let c = 0; c < C; c++) {
        const w = this.tau[c * N + i]!;
        if (w === 0) continue;
        const at = this.at[i]!;
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[a * n + b] += w * ((x.y[a]! - this.means[c]![at[a]!]!) * (x.y[b]! - this.means[c]![at[b]!]!) + this.covs[c]![at[a]! * G + at[b]!]!);
      }
      return out;
    });
    const h = Float64Array.from(this.hyper);
    const fg = (z: Float64Array, g: Float64Array): number => {
      free.forEach((j, k) => (h[j] = Math.exp(z[k]!)));
      const grad = new Float64Array(5);
      let f = 0;
      const K = gram(meanKernel(h), grid, grid);
      const lK = chol(K, G);
      if (!lK) return Infinity;
      const Kinv = invFromChol(lK, G);
      f += 0.5 * (trProd(Kinv, Ssum, G) + C * logDet(lK, G));
      const Wm = gradWeight(Kinv, Ssum, G, C);
      grad[0] = -0.5 * trProd(Wm, K, G);
      grad[1] = -0.5 * trProd(Wm, gramDLogLs(meanKernel(h), grid), G);
      for (let i = 0; i < N; i++) {
        const t = this.tasks[i]!.t;
        const n = t.length;
        const P = psiOf(h, t);
        const l = chol(P, n);
        if (!l) return Infinity;
        const inv = invFromChol(l, n);
        f += 0.5 * (logDet(l, n) + trProd(inv, M[i]!, n) + n * LOG_2PI);
        const W = gradWeight(inv, M[i]!, n, 1);
        const Kt = gram(taskKernel(h), t, t);
        grad[2] -= 0.5 * trProd(W, Kt, n);
        grad[3] -= 0.5 * trProd(W, gramDLogLs(taskKernel(h), t), n);
        let tr = 0;
        for (let a = 0; a < n; a++) tr += W[a * n + a]!;
        grad[4] -= 0.5 * tr * h[4]!;
      }
      free.forEach((j, k) => (g[k] = grad[j]!));
      return f;
    };
    return fg;
  }

  hyperStep(): void {
    const free = this.setup.free.flatMap((f, j) => (f ? [j] : []));
    if (!free.length || this.setup.steps < 1) return;
    const base = Float64Array.from(this.hyper);
    const fg = this.hyperObjective(free);
    const z0 = Float64Array.from(free, (j) => Math.min(Math.max(Math.log(base[j]!), this.lo[j]!), this.hi[j]!));
    // the objective where the hyperparameters are (a written value may lie outside the search box)
    const f0 = fg(Float64Array.from(free, (j) => Math.log(base[j]!)), new Float64Array(free.length));
    const run = lbfgs(fg, z0, { maxIter: this.setup.steps, lower: Float64Array.from(free, (j) => this.lo[j]!), upper: Float64Array.from(free, (j) => this.hi[j]!) });
    let r = run.next();
    while (!r.done) r = run.next();
    // keep the step only where it lowered the negative objective (the ELBO never falls)
    if (r.value.f < f0) free.forEach((j, k) => (this.hyper[j] = Math.exp(r.value.x[k]!)));
    else this.hyper.set(base);
    this.factor();
  }

  /** One iteration: q(mu) and pi, the hyperparameters, then tau; returns the ELBO. */
  iterate(): number {
    if (!this.Kinv.length) this.factor();
    this.mStep();
    this.hyperStep();
    return this.eStep() - this.kl();
  }
}

function invFromChol(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const e = new Float64Array(n);
    e[c] = 1;
    inv.set(cholSolve(l, n, e), c * n);
  }
  return inv;
}

/** A fit's q(mu) and pi recomputed from its responsibilities and hyperparameters (what a saved model stores). */
export function fittedFrom(tasks: readonly Task[], clusters: number, hyper: ArrayLike<number>, tau: ArrayLike<number>): VemRun {
  const run = new VemRun(tasks, { clusters, hyper, free: [false, false, false, false, false], steps: 0 });
  run.tau.set(tau);
  run.factor();
  run.mStep();
  return run;
}
