// Brute-force reference for the cluster-specific multitask GP, written independently of
// families/multitask: everything is one joint Gaussian conditioned in data space by Gaussian
// elimination (no grid, no precision form, no Cholesky). Given responsibilities tau, q(mu_c) is the
// posterior of mu_c when task i's curve counts with weight tau_ic, i.e. y_i ~ N(mu_c(t_i), Psi_i / tau_ic).
import { k, type Kern } from './curves.js';

export interface Hyper {
  readonly mean: Kern;
  readonly task: Kern;
  readonly noise: number;
}
interface Curve {
  readonly t: readonly number[];
  readonly y: readonly number[];
}
type Mat = number[][];

const gramOf = (kk: Kern, a: readonly number[], b: readonly number[]): Mat => a.map((x) => b.map((z) => k(kk, x, z)));
const add = (A: Mat, B: Mat): Mat => A.map((r, i) => r.map((v, j) => v + B[i]![j]!));
const transpose = (A: Mat): Mat => (A.length ? A[0]!.map((_, j) => A.map((r) => r[j]!)) : []);
const mul = (A: Mat, B: Mat): Mat => A.map((r) => B[0]!.map((_, j) => r.reduce((s, v, p) => s + v * B[p]![j]!, 0)));

/** A^-1 B and log|A| by Gaussian elimination with partial pivoting. */
function eliminate(A: Mat, B: Mat): { x: Mat; logDet: number } {
  const n = A.length;
  const m = B[0]?.length ?? 0;
  const M = A.map((r, i) => [...r, ...B[i]!]);
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    logDet += Math.log(Math.abs(M[c]![c]!));
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let q = c; q < n + m; q++) M[r]![q] -= f * M[c]![q]!;
    }
  }
  const x = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let j = 0; j < m; j++) {
    for (let r = n - 1; r >= 0; r--) {
      let s = M[r]![n + j]!;
      for (let q = r + 1; q < n; q++) s -= M[r]![q]! * x[q]![j]!;
      x[r]![j] = s / M[r]![r]!;
    }
  }
  return { x, logDet };
}

/** Mean and covariance of a zero-mean Gaussian block `b` given block `a` = ya (joint covariances Saa, Sab, Sbb). */
function condition(Saa: Mat, Sab: Mat, Sbb: Mat, ya: readonly number[]): { m: number[]; S: Mat } {
  const { x } = eliminate(Saa, [...ya.map((v, i) => [v, ...Sab[i]!])]);
  const m = Sab[0] ? Sab[0].map((_, j) => ya.reduce((s, __, i) => s + Sab[i]![j]! * x[i]![0]!, 0)) : [];
  const red = mul(transpose(Sab), x.map((r) => r.slice(1)));
  return { m, S: Sbb.map((r, i) => r.map((v, j) => v - red[i]![j]!)) };
}

function logNormal(y: readonly number[], m: readonly number[], S: Mat): number {
  const r = y.map((v, i) => v - m[i]!);
  const { x, logDet } = eliminate(S, r.map((v) => [v]));
  return -0.5 * (y.length * Math.log(2 * Math.PI) + logDet + r.reduce((s, v, i) => s + v * x[i]![0]!, 0));
}

/** Cluster c's training data: the tasks it weighs (tau_ic > 1e-12), stacked, with their Psi_i / tau_ic blocks. */
function stacked(tasks: readonly Curve[], w: readonly number[], h: Hyper): { t: number[]; y: number[]; noise: Mat } {
  const t: number[] = [];
  const y: number[] = [];
  const blocks: { from: number; P: Mat }[] = [];
  tasks.forEach((x, i) => {
    if (w[i]! < 1e-12) return;
    const P = gramOf(h.task, x.t, x.t).map((r, a) => r.map((v, b) => (v + (a === b ? h.noise : 0)) / w[i]!));
    blocks.push({ from: t.length, P });
    t.push(...x.t);
    y.push(...x.y);
  });
  const noise = t.map(() => new Array<number>(t.length).fill(0));
  for (const { from, P } of blocks) P.forEach((r, a) => r.forEach((v, b) => (noise[from + a]![from + b] = v)));
  return { t, y, noise };
}

/** q(mu_c) at the points s: the weighted posterior of cluster c's mean process. */
export function clusterPosterior(tasks: readonly Curve[], w: readonly number[], h: Hyper, s: readonly number[]): { m: number[]; S: Mat } {
  const d = stacked(tasks, w, h);
  return condition(add(gramOf(h.mean, d.t, d.t), d.noise), gramOf(h.mean, d.t, s), gramOf(h.mean, s, s), d.y);
}

/** The responsibilities [C][N] as row arrays from the flat [C, N] layout. */
export const tauRows = (tau: ArrayLike<number>, C: number, N: number): number[][] => Array.from({ length: C }, (_, c) => Array.from({ length: N }, (__, i) => tau[c * N + i]!));

/**
 * A new task's prediction: per cluster, the latent curve at tNew and y at tObs are jointly Gaussian
 * with cluster c's weighted training data (shared mu_c; the new task's own deviation f is independent
 * of theirs); p(c | y_obs) is pi_c times y_obs's density given that data; the answer is the mixture.
 */
export function newTask(tasks: readonly Curve[], tau: number[][], h: Hyper, tObs: readonly number[], yObs: readonly number[], tNew: readonly number[]): { clusters: number[]; mean: number[]; variance: number[] } {
  const both = (a: readonly number[], b: readonly number[]): Mat => add(gramOf(h.mean, a, b), gramOf(h.task, a, b));
  const logits: number[] = [];
  const per: { m: number[]; v: number[] }[] = [];
  for (const w of tau) {
    const d = stacked(tasks, w, h);
    const Sdd = add(gramOf(h.mean, d.t, d.t), d.noise);
    const Soo = both(tObs, tObs).map((r, a) => r.map((v, b) => v + (a === b ? h.noise : 0)));
    // y_obs given the training data
    const obs = condition(Sdd, gramOf(h.mean, d.t, tObs), Soo, d.y);
    logits.push(Math.log(w.reduce((s, v) => s + v, 0) / w.length) + logNormal(yObs, obs.m, obs.S));
    // the latent curve at tNew given the training data and y_obs together
    const Saa = [...Sdd.map((r, i) => [...r, ...gramOf(h.mean, [d.t[i]!], tObs)[0]!]), ...Soo.map((r, a) => [...gramOf(h.mean, [tObs[a]!], d.t)[0]!, ...r])];
    const Sab = [...gramOf(h.mean, d.t, tNew), ...both(tObs, tNew)];
    const lat = condition(Saa, Sab, both(tNew, tNew), [...d.y, ...yObs]);
    per.push({ m: lat.m, v: lat.S.map((r, j) => r[j]!) });
  }
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const z = e.reduce((s, v) => s + v, 0);
  const clusters = e.map((v) => v / z);
  const mean = tNew.map((_, j) => per.reduce((s, p, c) => s + clusters[c]! * p.m[j]!, 0));
  const variance = tNew.map((_, j) => per.reduce((s, p, c) => s + clusters[c]! * (p.v[j]! + (p.m[j]! - mean[j]!) ** 2), 0));
  return { clusters, mean, variance };
}

/** The E-step from q(mu) given tau: tau'_ic proportional to pi_c N(y_i; m_c(t_i), Psi_i) exp(-tr(Psi_i^-1 C_c(t_i)) / 2). */
export function responsibilities(tasks: readonly Curve[], tau: number[][], h: Hyper): number[][] {
  const logits = tau.map((w) => {
    const pi = w.reduce((s, v) => s + v, 0) / w.length;
    return tasks.map((x) => {
      const q = clusterPosterior(tasks, w, h, x.t);
      const Psi = gramOf(h.task, x.t, x.t).map((r, a) => r.map((v, b) => v + (a === b ? h.noise : 0)));
      const PinvC = eliminate(Psi, q.S).x;
      return Math.log(pi) + logNormal(x.y, q.m, Psi) - 0.5 * PinvC.reduce((s, r, a) => s + r[a]!, 0);
    });
  });
  return tasks.map((_, i) => {
    const top = Math.max(...logits.map((l) => l[i]!));
    const z = logits.reduce((s, l) => s + Math.exp(l[i]! - top), 0);
    return logits.map((l) => Math.exp(l[i]! - top) / z);
  }).reduce<number[][]>((acc, col) => (col.forEach((v, c) => (acc[c] ??= []).push(v)), acc), []);
}
