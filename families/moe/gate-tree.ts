// The hierarchical (two-level) gate: a softmax over B branches, and within branch b a softmax
// over its J = K / B experts, both linear in x ("On Expert Estimation in Hierarchical Mixture of
// Experts"): p(k = (b, j) | x) = g_b(x) h_bj(x), expert k = b J + j. The M-step splits: the top
// gate is fitted to the branches' responsibilities sum_j r_ibj, each branch's gate to the
// within-branch shares r_ibj / sum_j r_ibj with row weights w_i sum_j r_ibj (the expected
// complete-data objective is the sum of these), each by the softmax gate's Newton steps.
import type { MoeData } from './data.js';
import { softmaxLogGate, softmaxMStep, type SoftmaxGate } from './gate-softmax.js';

export interface TreeGate {
  readonly B: number;
  readonly J: number;
  readonly D: number;
  readonly ridge: number;
  readonly top: SoftmaxGate;
  readonly inner: readonly SoftmaxGate[];
}

export function treeGate(B: number, J: number, D: number, ridge: number, W: Float64Array, inner: Float64Array): TreeGate {
  const M = D + 1;
  return {
    B,
    J,
    D,
    ridge,
    top: { K: B, D, top: B, ridge, W },
    inner: Array.from({ length: B }, (_, b) => ({ K: J, D, top: J, ridge, W: inner.subarray(b * J * M, (b + 1) * J * M) })),
  };
}

export function treeLogGate(g: TreeGate, X: Float64Array, n: number, out = new Float64Array(n * g.B * g.J)): Float64Array {
  const K = g.B * g.J;
  const top = softmaxLogGate(g.top, X, n);
  g.inner.forEach((h, b) => {
    const lh = softmaxLogGate(h, X, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < g.J; j++) out[i * K + b * g.J + j] = top[i * g.B + b]! + lh[i * g.J + j]!;
  });
  return out;
}

/** (ridge / 2) |slopes|^2 over the top gate and every branch's gate. */
export function treePenalty(g: TreeGate): number {
  let s = 0;
  for (const s1 of [g.top, ...g.inner]) for (let k = 0; k < s1.K - 1; k++) for (let j = 0; j < g.D; j++) s += s1.W[k * (g.D + 1) + j]! ** 2;
  return 0.5 * g.ridge * s;
}

export function treeMStep(g: TreeGate, d: MoeData, R: Float64Array, steps = 5): void {
  const { B, J } = g;
  const K = B * J;
  const Rb = new Float64Array(d.n * B);
  for (let i = 0; i < d.n; i++) for (let b = 0; b < B; b++) for (let j = 0; j < J; j++) Rb[i * B + b] += R[i * K + b * J + j]!;
  softmaxMStep(g.top, d, Rb, steps);
  g.inner.forEach((h, b) => {
    const w = new Float64Array(d.n);
    const Rj = new Float64Array(d.n * J);
    for (let i = 0; i < d.n; i++) {
      const rb = Rb[i * B + b]!;
      w[i] = d.w[i]! * rb;
      for (let j = 0; j < J; j++) Rj[i * J + j] = rb > 0 ? R[i * K + b * J + j]! / rb : 1 / J;
    }
    softmaxMStep(h, { ...d, w }, Rj, steps);
  });
}
