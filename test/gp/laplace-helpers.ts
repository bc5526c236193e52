// GP states with a non-Gaussian likelihood, built from IR pieces (test/gp/helpers.ts's
// gpState plus the likelihood's parameters), and independent dense references: a textbook
// Cholesky, and Rasmussen & Williams' Algorithms 3.1/3.2 written out with plain arrays.
import type { GPNode, IRGraph, KernelExpr } from '../../ir/types.js';
import { GPCore } from '../../runtime/gp/core.js';
import type { GPData } from '../../runtime/gp/data.js';
import { ModelState } from '../../runtime/state.js';
import { gpState, type ParamInit } from './helpers.js';

export function likState(kernel: KernelExpr, params: Record<string, ParamInit>, lik: { name: string; link: string; params?: Record<string, ParamInit> }, opts: { inputs?: number; mean?: GPNode['mean']; inducing?: number[]; learnInducing?: boolean } = {}): { state: ModelState; core: GPCore } {
  const all = { ...params, ...(lik.params ?? {}) };
  const { state } = gpState(kernel, all, { inputs: opts.inputs ?? 1, noise: 0, fixedNoise: true, ...(opts.mean ? { mean: opts.mean } : {}), ...(opts.inducing ? { inducing: opts.inducing, learnInducing: opts.learnInducing ?? false } : {}) });
  const g = state.graph;
  const node = { ...(g.nodes[0] as GPNode), likelihood: { name: lik.name, link: lik.link, params: Object.keys(lik.params ?? {}) } };
  const params2 = { ...g.params, noise: { ...g.params.noise!, param: { kind: 'bounded' as const, lower: 0, upper: 1 }, value: [0] } };
  const graph: IRGraph = { ...g, params: params2, nodes: [node] };
  const s = new ModelState(graph);
  return { state: s, core: new GPCore(s, node) };
}

export function dataOf(xs: number[][], y: number[]): GPData {
  return { x: Float64Array.from(xs.flat()), y: Float64Array.from(y), n: y.length, stride: xs[0]!.length, task: new Int32Array(y.length), dropped: 0 };
}

export function chol(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let s = a[j]![j]!;
    for (let k = 0; k < j; k++) s -= l[j]![k]! ** 2;
    l[j]![j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = a[i]![j]!;
      for (let k = 0; k < j; k++) t -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = t / l[j]![j]!;
    }
  }
  return l;
}

/** Solves L x = b (lower) or L^T x = b. */
export function tri(l: number[][], b: number[], transpose: boolean): number[] {
  const n = b.length;
  const x = b.slice();
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < i; k++) x[i] -= l[i]![k]! * x[k]!;
      x[i] /= l[i]![i]!;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      for (let k = i + 1; k < n; k++) x[i] -= l[k]![i]! * x[k]!;
      x[i] /= l[i]![i]!;
    }
  }
  return x;
}

const mv = (a: number[][], x: number[]): number[] => a.map((r) => r.reduce((s, v, j) => s + v * x[j]!, 0));

/**
 * R&W Algorithm 3.1 (mode, approximate log marginal likelihood) and 3.2 (latent mean and
 * variance at test points) for a log-concave likelihood given by its lp, d1, d2, iterated
 * to convergence (no line search: the textbook's plain Newton).
 */
export function rwLaplace(K: number[][], y: number[], lik: (y: number, f: number) => [number, number, number], Ks: number[][], kss: number[]): { lml: number; mean: number[]; variance: number[] } {
  const n = y.length;
  let f = new Array<number>(n).fill(0);
  let a = f.slice();
  for (let it = 0; it < 100; it++) {
    const W = f.map((fi, i) => -lik(y[i]!, fi)[2]);
    const sW = W.map(Math.sqrt);
    const B = K.map((r, i) => r.map((v, j) => (i === j ? 1 : 0) + sW[i]! * v * sW[j]!));
    const L = chol(B);
    const b = f.map((fi, i) => W[i]! * fi + lik(y[i]!, fi)[1]);
    const Kb = mv(K, b);
    const t = tri(L, tri(L, Kb.map((v, i) => sW[i]! * v), false), true);
    const aNew = b.map((v, i) => v - sW[i]! * t[i]!);
    const fNew = mv(K, aNew);
    const change = Math.max(...fNew.map((v, i) => Math.abs(v - f[i]!)));
    f = fNew;
    a = aNew;
    if (change < 1e-14) break;
  }
  const W = f.map((fi, i) => -lik(y[i]!, fi)[2]);
  const sW = W.map(Math.sqrt);
  const L = chol(K.map((r, i) => r.map((v, j) => (i === j ? 1 : 0) + sW[i]! * v * sW[j]!)));
  const lml = -0.5 * a.reduce((s, v, i) => s + v * f[i]!, 0) + y.reduce((s, yi, i) => s + lik(yi, f[i]!)[0], 0) - L.reduce((s, r, i) => s + Math.log(r[i]!), 0);
  const d1 = f.map((fi, i) => lik(y[i]!, fi)[1]);
  const mean = Ks.map((row) => row.reduce((s, v, j) => s + v * d1[j]!, 0));
  const variance = Ks.map((row, t) => {
    const v = tri(L, row.map((x, j) => sW[j]! * x), false);
    return kss[t]! - v.reduce((s, x) => s + x * x, 0);
  });
  return { lml, mean, variance };
}
