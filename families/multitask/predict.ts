// Predictions of a fitted cluster-specific multitask GP for one task from its observed points
// (a training task's stored points, a new task's given points, or both): p(cluster | points) =
// pi_c N(y_obs; m_c(t_obs), S_c(t_obs) + noise) with S_c the cluster's mean-process posterior
// covariance plus the task kernel, and per cluster the GP prediction around that cluster's mean
// process (its posterior carried from the grid to the asked inputs by conditioning on the grid);
// the prediction is the mixture over clusters.
import { cholJitter, cholSolve, logSumExp } from '../moe/index.js';
import { gram } from './kernel.js';
import { inverse, logNormal, meanKernel, taskKernel, type Hyper } from './vem.js';

/** What predictions need of a fit: the grid, the hyperparameters, pi and each cluster's q(mu) on the grid. */
export interface Fitted {
  readonly grid: Float64Array;
  readonly hyper: Hyper;
  readonly pi: Float64Array;
  readonly means: readonly Float64Array[];
  readonly covs: readonly Float64Array[];
}

export interface TaskPrediction {
  /** p(cluster | the task's points). */
  readonly clusters: Float64Array;
  /** Mean and variance of the task's latent curve (no noise) at the asked inputs: the mixture's, and per cluster [C][n]. */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly clusterMeans: Float64Array[];
  readonly clusterVars: Float64Array[];
}

/** Cluster c's mean process at arbitrary inputs: mean and covariance, by conditioning on the grid. */
function meanProcessAt(f: Fitted, c: number, t: readonly number[], Kgrid: Float64Array): { m: Float64Array; S: Float64Array } {
  const G = f.grid.length;
  const n = t.length;
  const k = meanKernel(f.hyper);
  const l = cholJitter(Float64Array.from(Kgrid), G);
  const Kx = gram(k, t, f.grid);
  const A = new Float64Array(n * G);
  for (let r = 0; r < n; r++) A.set(cholSolve(l, G, Kx.slice(r * G, (r + 1) * G)), r * G);
  const m = new Float64Array(n);
  const S = gram(k, t, t);
  const cov = f.covs[c]!;
  // CA = cov A' (G x n)
  const CA = new Float64Array(G * n);
  for (let g = 0; g < G; g++) for (let s = 0; s < n; s++) {
    let v = 0;
    for (let h = 0; h < G; h++) v += cov[g * G + h]! * A[s * G + h]!;
    CA[g * n + s] = v;
  }
  for (let r = 0; r < n; r++) {
    for (let g = 0; g < G; g++) m[r] += A[r * G + g]! * f.means[c]![g]!;
    for (let s = 0; s < n; s++) {
      let prior = 0;
      let post = 0;
      for (let g = 0; g < G; g++) {
        prior += A[r * G + g]! * Kx[s * G + g]!;
        post += A[r * G + g]! * CA[g * n + s]!;
      }
      S[r * n + s] += post - prior;
    }
  }
  return { m, S };
}

/** Predictions for a task from its observed points (tObs, yObs) at the inputs tNew (no points: the prior mixture). */
export function predictTask(f: Fitted, tObs: readonly number[], yObs: readonly number[], tNew: readonly number[]): TaskPrediction {
  const C = f.pi.length;
  const all = [...tObs, ...tNew];
  const no = tObs.length;
  const nn = tNew.length;
  const na = all.length;
  const noise = f.hyper[4]!;
  const Kgrid = gram(meanKernel(f.hyper), f.grid, f.grid);
  const logits = new Float64Array(C);
  const means: Float64Array[] = [];
  const vars: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const { m, S } = meanProcessAt(f, c, all, Kgrid);
    const T = gram(taskKernel(f.hyper), all, all);
    for (let i = 0; i < na * na; i++) S[i] += T[i]!;
    const mean = new Float64Array(nn);
    const v = new Float64Array(nn);
    if (no === 0) {
      logits[c] = Math.log(f.pi[c]!);
      for (let j = 0; j < nn; j++) {
        mean[j] = m[j]!;
        v[j] = Math.max(S[j * na + j]!, 0);
      }
    } else {
      const Soo = new Float64Array(no * no);
      for (let a = 0; a < no; a++) for (let b = 0; b < no; b++) Soo[a * no + b] = S[a * na + b]! + (a === b ? noise : 0);
      const l = cholJitter(Soo, no);
      logits[c] = Math.log(f.pi[c]!) + logNormal(yObs, m.subarray(0, no), l, no);
      const r = cholSolve(l, no, Float64Array.from({ length: no }, (_, a) => yObs[a]! - m[a]!));
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
  return { clusters: post, mean, variance, clusterMeans: means, clusterVars: vars };
}

