// Multitask GPs with cluster structure ("Cluster-Specific Predictions with Multi-Task Gaussian
// Processes"): each task (a curve, observed at its own inputs t_i) belongs to one of C clusters;
// task i in cluster c is y_i(t) = mu_c(t) + f_i(t) + noise, with mu_c ~ GP(0, kMean_c) the cluster's
// mean process and f_i ~ GP(0, kTask) the task's own deviation (Psi_i = kTask(t_i, t_i) + s^2 I).
// Variational EM over the union grid T of all inputs: the E-step gives each cluster's mean process
// a Gaussian posterior on T (weighted by the responsibilities tau_ic) and each task its tau_ic
// proportional to pi_c N(y_i; m_c(t_i), Psi_i) exp(-tr(Psi_i^-1 C_c(t_i)) / 2); the M-step sets
// pi_c. The kernels' hyperparameters are given (not learned). A new task with a few points gets the
// posterior over clusters and, per cluster, the GP prediction around that cluster's mean process.
import { chol, cholJitter, cholSolve, logDet, logSumExp, LOG_2PI } from './linalg.js';
import { Rng } from '../../stdlib/random.js';

export interface Rbf {
  /** variance s^2 and lengthscale */
  readonly variance: number;
  readonly lengthscale: number;
}

export interface MultitaskOptions {
  readonly clusters: number;
  readonly meanKernel: Rbf;
  readonly taskKernel: Rbf;
  readonly noise: number;
  readonly maxIter?: number;
  readonly restarts?: number;
  readonly seed?: number;
}

export interface Task {
  readonly t: readonly number[];
  readonly y: readonly number[];
}

export interface MultitaskFit {
  readonly options: MultitaskOptions;
  /** The union grid of inputs. */
  readonly grid: Float64Array;
  readonly pi: Float64Array;
  /** [C, n_tasks] responsibilities. */
  readonly tau: Float64Array;
  /** Per cluster: posterior mean [G] and covariance [G, G] of its mean process on the grid. */
  readonly means: Float64Array[];
  readonly covs: Float64Array[];
  /** The bound's value per restart's end (the best kept). */
  readonly objective: number;
}

const rbf = (k: Rbf, a: number, b: number): number => k.variance * Math.exp(-((a - b) ** 2) / (2 * k.lengthscale ** 2));

function gram(k: Rbf, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = rbf(k, a[i]!, b[j]!);
  return out;
}

function inverse(a: Float64Array, n: number): Float64Array {
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
function logNormal(y: ArrayLike<number>, m: ArrayLike<number>, l: Float64Array, n: number): number {
  const r = Float64Array.from({ length: n }, (_, i) => y[i]! - m[i]!);
  const z = cholSolve(l, n, Float64Array.from(r));
  let q = 0;
  for (let i = 0; i < n; i++) q += r[i]! * z[i]!;
  return -0.5 * (n * LOG_2PI + logDet(l, n) + q);
}

export function fitMultitask(tasks: readonly Task[], o: MultitaskOptions): MultitaskFit {
  const C = o.clusters;
  const N = tasks.length;
  if (!(Number.isInteger(C) && C >= 1)) throw new Error(`clusters = ${C}: expected a whole number >= 1`);
  tasks.forEach((task, i) => {
    if (task.t.length === 0 || task.t.length !== task.y.length) throw new Error(`task ${i + 1}: expected as many outputs as inputs, at least one`);
  });
  const grid = Float64Array.from(new Set(tasks.flatMap((x) => x.t))).sort();
  const G = grid.length;
  const at = tasks.map((x) => x.t.map((v) => grid.indexOf(v)));
  // each task's Psi_i^-1 and factor
  const psiInv = tasks.map((x) => {
    const n = x.t.length;
    const S = gram(o.taskKernel, x.t, x.t);
    for (let j = 0; j < n; j++) S[j * n + j] += o.noise;
    return inverse(S, n);
  });
  const psiChol = tasks.map((x) => {
    const n = x.t.length;
    const S = gram(o.taskKernel, x.t, x.t);
    for (let j = 0; j < n; j++) S[j * n + j] += o.noise;
    return chol(S, n)!;
  });
  const Kinv = inverse(gram(o.meanKernel, grid, grid), G);
  let best: MultitaskFit | undefined;
  const rng = new Rng(o.seed ?? 1);
  for (let restart = 0; restart < (o.restarts ?? 5); restart++) {
    // random soft starting responsibilities
    const tau = new Float64Array(C * N);
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += tau[c * N + i] = rng.uniform() + (rng.uniform() < 1 / C ? 2 : 0);
      for (let c = 0; c < C; c++) tau[c * N + i] /= s;
    }
    const pi = new Float64Array(C);
    const means: Float64Array[] = [];
    const covs: Float64Array[] = [];
    let objective = -Infinity;
    for (let it = 0; it < (o.maxIter ?? 50); it++) {
      // cluster mean processes: precision Kinv + sum_i tau_ic P_i' Psi_i^-1 P_i
      means.length = 0;
      covs.length = 0;
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
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += tau[c * N + i]!;
        pi[c] = s / N;
      }
      // responsibilities
      const logits = new Float64Array(C);
      objective = 0;
      tasks.forEach((x, i) => {
        const n = x.t.length;
        for (let c = 0; c < C; c++) {
          const mi = at[i]!.map((g) => means[c]![g]!);
          let tr = 0;
          for (let a = 0; a < n; a++) for (let z = 0; z < n; z++) tr += psiInv[i]![a * n + z]! * covs[c]![at[i]![z]! * G + at[i]![a]!]!;
          logits[c] = Math.log(pi[c]!) + logNormal(x.y, mi, psiChol[i]!, n) - 0.5 * tr;
        }
        const lz = logSumExp(logits, 0, C);
        objective += lz;
        for (let c = 0; c < C; c++) tau[c * N + i] = Math.exp(logits[c]! - lz);
      });
    }
    if (!best || objective > best.objective) best = { options: o, grid, pi: Float64Array.from(pi), tau: Float64Array.from(tau), means: means.map((m) => Float64Array.from(m)), covs: covs.map((m) => Float64Array.from(m)), objective };
  }
  return best!;
}

export interface MultitaskPrediction {
  /** p(cluster | the new task's points). */
  readonly clusters: Float64Array;
  /** The predictive mean and variance of the new task's curve (latent, no noise) at the asked inputs. */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

/** Cluster c's mean process at arbitrary inputs: mean and covariance, by conditioning on the grid. */
function meanProcessAt(f: MultitaskFit, c: number, t: readonly number[]): { m: Float64Array; S: Float64Array } {
  const G = f.grid.length;
  const n = t.length;
  const k = f.options.meanKernel;
  const l = cholJitter(gram(k, f.grid, f.grid), G);
  const Kx = gram(k, t, f.grid); // n x G
  // A = Kx K^-1 (n x G)
  const A = new Float64Array(n * G);
  for (let r = 0; r < n; r++) A.set(cholSolve(l, G, Kx.slice(r * G, (r + 1) * G)), r * G);
  const m = new Float64Array(n);
  const S = gram(k, t, t);
  for (let r = 0; r < n; r++) {
    for (let g = 0; g < G; g++) m[r] += A[r * G + g]! * f.means[c]![g]!;
    for (let s = 0; s < n; s++) {
      let prior = 0;
      let post = 0;
      for (let g = 0; g < G; g++) {
        prior += A[r * G + g]! * Kx[s * G + g]!;
        let v = 0;
        for (let h = 0; h < G; h++) v += f.covs[c]![g * G + h]! * A[s * G + h]!;
        post += A[r * G + g]! * v;
      }
      S[r * n + s] += post - prior;
    }
  }
  return { m, S };
}

/** Predictions for a new task from its observed points (tObs, yObs) at the inputs tNew. */
export function predictNewTask(f: MultitaskFit, tObs: readonly number[], yObs: readonly number[], tNew: readonly number[]): MultitaskPrediction {
  const C = f.pi.length;
  const all = [...tObs, ...tNew];
  const no = tObs.length;
  const nn = tNew.length;
  const na = all.length;
  const logits = new Float64Array(C);
  const means: Float64Array[] = [];
  const vars: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const { m, S } = meanProcessAt(f, c, all);
    const T = gram(f.options.taskKernel, all, all);
    for (let i = 0; i < na * na; i++) S[i] += T[i]!;
    // observed block with noise
    const Soo = new Float64Array(no * no);
    for (let a = 0; a < no; a++) for (let b = 0; b < no; b++) Soo[a * no + b] = S[a * na + b]! + (a === b ? f.options.noise : 0);
    const l = cholJitter(Soo, no);
    logits[c] = Math.log(f.pi[c]!) + logNormal(yObs, m.subarray(0, no), l, no);
    const r = cholSolve(l, no, Float64Array.from({ length: no }, (_, a) => yObs[a]! - m[a]!));
    const mean = new Float64Array(nn);
    const v = new Float64Array(nn);
    for (let j = 0; j < nn; j++) {
      const row = Float64Array.from({ length: no }, (_, a) => S[(no + j) * na + a]!);
      let s = m[no + j]!;
      for (let a = 0; a < no; a++) s += row[a]! * r[a]!;
      mean[j] = s;
      const z = cholSolve(l, no, Float64Array.from(row));
      let q = 0;
      for (let a = 0; a < no; a++) q += row[a]! * z[a]!;
      v[j] = Math.max(S[(no + j) * na + no + j]! - q, 0);
    }
    means.push(mean);
    vars.push(v);
  }
  const lz = logSumExp(logits, 0, C);
  const post = logits.map((x) => Math.exp(x - lz));
  const mean = new Float64Array(nn);
  const variance = new Float64Array(nn);
  for (let j = 0; j < nn; j++) {
    for (let c = 0; c < C; c++) mean[j] += post[c]! * means[c]![j]!;
    for (let c = 0; c < C; c++) variance[j] += post[c]! * (vars[c]![j]! + (means[c]![j]! - mean[j]!) ** 2);
  }
  return { clusters: post, mean, variance };
}
