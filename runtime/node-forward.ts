// The log-space forward of one combining node, row by row: mixing nodes, dense sum nodes and
// Kronecker products (evaluate.ts's forwardNode calls these where no folded or fused kernel
// takes the node). Inputs are the node's children's values concatenated (ChildInput).
import type { MixingNode, SumNode } from '../ir/types.js';
import type { ModelState } from './state.js';
import { mixtureForward } from './kernels/mixture-kernels.js';

/** One child's values (n x units) at its offset in the node's concatenated inputs. */
export interface ChildInput {
  readonly vals: Float64Array;
  readonly units: number;
  readonly offset: number;
}

/** Log-value of input unit j (of the concatenated children) for row i. */
function inputAt(kids: readonly ChildInput[], i: number, j: number): number {
  for (const k of kids) if (j < k.offset + k.units) return k.vals[i * k.units + (j - k.offset)]!;
  return -Infinity;
}

/** A mixing node (a log-sum-exp over each unit's arity children); `fused`: try the wasm mixture kernel first. */
export function mixingForward(state: ModelState, node: MixingNode, kids: readonly ChildInput[], n: number, out: Float64Array, fused: boolean): void {
  const U = node.units;
  const A = node.arity;
  const w = state.values.get(node.weights)!;
  const logW = w.map(Math.log);
  const single = kids.length === 1 ? kids[0]!.vals : undefined;
  if (fused && single && U === 1 && mixtureForward(single, n, A, w, out)) return;
  const tmp = new Float64Array(A);
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < U; u++) {
      let m = -Infinity;
      for (let a = 0; a < A; a++) {
        const t = logW[u * A + a]! + (single ? single[i * A * U + a * U + u]! : inputAt(kids, i, a * U + u));
        tmp[a] = t;
        if (t > m) m = t;
      }
      if (m === -Infinity || Number.isNaN(m)) {
        out[i * U + u] = m;
        continue;
      }
      let s = 0;
      for (let a = 0; a < A; a++) s += Math.exp(tmp[a]! - m);
      out[i * U + u] = m + Math.log(s);
    }
  }
}

/** A dense sum node, row by row in log space (the reference the folded sum layers are tested against). */
export function sumForward(state: ModelState, node: SumNode, kids: readonly ChildInput[], n: number, out: Float64Array): void {
  const U = node.units;
  const I = kids.reduce((s, k) => s + k.units, 0);
  const logW = state.values.get(node.weights)!.map(Math.log);
  const tmp = new Float64Array(I);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < I; j++) tmp[j] = inputAt(kids, i, j);
    for (let u = 0; u < U; u++) {
      let m = -Infinity;
      for (let j = 0; j < I; j++) m = Math.max(m, logW[u * I + j]! + tmp[j]!);
      if (m === -Infinity) {
        out[i * U + u] = m;
        continue;
      }
      let s = 0;
      for (let j = 0; j < I; j++) s += Math.exp(logW[u * I + j]! + tmp[j]! - m);
      out[i * U + u] = m + Math.log(s);
    }
  }
}

/** A Kronecker product: every combination of the children's units, log-values added. */
export function kroneckerForward(kids: readonly ChildInput[], n: number, units: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < units; u++) {
      let rest = u;
      let s = 0;
      for (let c = kids.length - 1; c >= 0; c--) {
        const k = kids[c]!;
        s += k.vals[i * k.units + (rest % k.units)]!;
        rest = Math.floor(rest / k.units);
      }
      out[i * units + u] = s;
    }
  }
}
