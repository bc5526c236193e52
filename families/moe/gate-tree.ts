// Hierarchical (tree) gates, the hierarchical mixture of experts of Jordan & Jacobs (1994), "On
// Expert Estimation in Hierarchical Mixture of Experts": a tree of softmax gates, each linear in
// x. Level l has fan[l] children per node; the experts are the leaves, numbered in mixed radix
// (k = ((c_0 f_1 + c_1) f_2 + c_2) ...), and p(k | x) is the product of the softmaxes on its path.
// Two levels (tree(branches = B)): fan [B, K / B], p(k = (b, j) | x) = g_b(x) h_bj(x). depth = L:
// fan [B, ..., B, K / B^(L-1)]; depth 1 is the softmax gate.
// The M-step (Jordan & Jacobs' EM): the posterior over paths gives each node v the mass
// R_v = sum of the responsibilities of the experts under it; node v's gate is fitted to its
// children's shares R_c / R_v with row weights w_i R_v. The expected complete-data objective is
// the sum of these weighted multinomial log-likelihoods, one per node, so each node's Newton fit
// (the softmax gate's, with step halving and the same ridge) raises it: EM never falls.
import type { MoeData } from './data.js';
import { softmaxLogGate, softmaxMStep, type SoftmaxGate } from './gate-softmax.js';

export interface TreeGate {
  readonly D: number;
  readonly ridge: number;
  /** Children per node at each level; their product is the number of experts. */
  readonly fan: readonly number[];
  /** levels[l][v]: the gate of node v at level l (fan[l] children). */
  readonly levels: readonly (readonly SoftmaxGate[])[];
}

/** The fan-outs of a tree gate over K experts: [B, ..., B, K / B^(depth-1)] (depth 1: [K]). */
export function treeFan(K: number, branches: number, depth: number): number[] {
  const fan: number[] = [];
  let rest = K;
  for (let l = 0; l < depth - 1; l++) {
    fan.push(branches);
    rest /= branches;
  }
  fan.push(rest);
  return fan;
}

/** Nodes at each level: 1, fan[0], fan[0] fan[1], ... */
export function levelNodes(fan: readonly number[]): number[] {
  const out = [1];
  for (let l = 1; l < fan.length; l++) out.push(out[l - 1]! * fan[l - 1]!);
  return out;
}

/** A tree gate over parameter arrays, one per level ([nodes_l, fan[l], D + 1] each), written in place by the M-step. */
export function hmeGate(fan: readonly number[], D: number, ridge: number, params: readonly Float64Array[]): TreeGate {
  const M = D + 1;
  const nodes = levelNodes(fan);
  return {
    D,
    ridge,
    fan,
    levels: fan.map((f, l) => Array.from({ length: nodes[l]! }, (_, v) => ({ K: f, D, top: f, ridge, W: params[l]!.subarray(v * f * M, (v + 1) * f * M) }))),
  };
}

/** The two-level gate of B branches over J experts each (gate.w [B, D + 1], gate.inner [B, J, D + 1]). */
export function treeGate(B: number, J: number, D: number, ridge: number, W: Float64Array, inner: Float64Array): TreeGate {
  return hmeGate([B, J], D, ridge, [W, inner]);
}

const leaves = (g: TreeGate): number => g.fan.reduce((a, b) => a * b, 1);

export function treeLogGate(g: TreeGate, X: Float64Array, n: number, out = new Float64Array(n * leaves(g))): Float64Array {
  let cur = new Float64Array(n); // log p(node | x) at level 0: the root, 0
  let width = 1;
  g.fan.forEach((f, l) => {
    const next = new Float64Array(n * width * f);
    g.levels[l]!.forEach((gate, v) => {
      const lg = softmaxLogGate(gate, X, n);
      for (let i = 0; i < n; i++) for (let c = 0; c < f; c++) next[i * width * f + v * f + c] = cur[i * width + v]! + lg[i * f + c]!;
    });
    cur = next;
    width *= f;
  });
  out.set(cur);
  return out;
}

/** (ridge / 2) |slopes|^2 over every node's gate (each gate's last child is its reference, row 0). */
export function treePenalty(g: TreeGate): number {
  let s = 0;
  for (const level of g.levels) for (const s1 of level) for (let k = 0; k < s1.K - 1; k++) for (let j = 0; j < g.D; j++) s += s1.W[k * (g.D + 1) + j]! ** 2;
  return 0.5 * g.ridge * s;
}

export function treeMStep(g: TreeGate, d: MoeData, R: Float64Array, steps = 5): void {
  const L = g.fan.length;
  const nodes = levelNodes(g.fan);
  // the posterior mass of every node, bottom-up: mass[L] = R (the leaves), mass[l][v] = sum over its children
  const mass: Float64Array[] = new Array(L + 1);
  mass[L] = R;
  for (let l = L - 1; l >= 0; l--) {
    const f = g.fan[l]!;
    const below = mass[l + 1]!;
    const here = new Float64Array(d.n * nodes[l]!);
    const wb = nodes[l]! * f;
    for (let i = 0; i < d.n; i++) for (let v = 0; v < nodes[l]!; v++) for (let c = 0; c < f; c++) here[i * nodes[l]! + v] += below[i * wb + v * f + c]!;
    mass[l] = here;
  }
  for (let l = 0; l < L; l++) {
    const f = g.fan[l]!;
    const wb = nodes[l]! * f;
    g.levels[l]!.forEach((gate, v) => {
      if (f === 1) return;
      const w = new Float64Array(d.n);
      const shares = new Float64Array(d.n * f);
      for (let i = 0; i < d.n; i++) {
        const rv = mass[l]![i * nodes[l]! + v]!;
        w[i] = d.w[i]! * rv;
        for (let c = 0; c < f; c++) shares[i * f + c] = rv > 0 ? mass[l + 1]![i * wb + v * f + c]! / rv : 1 / f;
      }
      softmaxMStep(gate, { ...d, w }, shares, steps);
    });
  }
}
