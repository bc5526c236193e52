// Coregionalization over a task index (multitask GPs): k(t, t') = B[t, t'] with
// B = W W^T + diag(kappa), W of shape [tasks, rank]. Its one input column holds the task
// number 0..T-1. ICM is k_x(x, x') * coregion(t, t'); LMC is a sum of such products.
import type { BaseKernel, KernelContext } from './types.js';

const T = (c: KernelContext): number => c.options.tasks ?? 1;
const R = (c: KernelContext): number => c.options.rank ?? 1;

export const coregion: BaseKernel = {
  name: 'coregion',
  description: 'B[t, t\'] = (W W^T + diag(kappa))[t, t\'] over a task index',
  params: [
    { name: 'W', shape: (c) => [T(c), R(c)], positive: false, init: { kind: 'const', value: 1 }, bounds: [-1e3, 1e3] },
    { name: 'kappa', shape: (c) => [T(c)], positive: true, init: { kind: 'const', value: 0.1 }, bounds: [1e-8, 1e5] },
  ],
  options: [
    { name: 'tasks', min: 1, default: 1, description: 'the number of tasks' },
    { name: 'rank', min: 1, default: 1, description: 'the rank of W' },
  ],
  stationary: false,
  value([W, kappa], ctx, pairs, out) {
    const B = matrix(W!, kappa!, ctx);
    const t1 = pairs.scratch(0);
    const t2 = pairs.scratch(1);
    tasks(pairs, t1, t2);
    const nt = T(ctx);
    for (let p = 0; p < pairs.length; p++) out[p] = B[t1[p]! * nt + t2[p]!]!;
  },
  grad([W], ctx, pairs, w, _k, [gW, gk]) {
    const nt = T(ctx);
    const r = R(ctx);
    const t1 = pairs.scratch(0);
    const t2 = pairs.scratch(1);
    tasks(pairs, t1, t2);
    // G[a, b] = sum of the weights of pairs with tasks (a, b); dB[a,b]/dW[c,k] and dB/dkappa follow.
    const G = new Float64Array(nt * nt);
    for (let p = 0; p < pairs.length; p++) G[t1[p]! * nt + t2[p]!] += w[p]!;
    for (let a = 0; a < nt; a++) {
      gk![a] += G[a * nt + a]!;
      for (let k = 0; k < r; k++) {
        let s = 0;
        for (let b = 0; b < nt; b++) s += (G[a * nt + b]! + G[b * nt + a]!) * W![b * r + k]!;
        gW![a * r + k] += s;
      }
    }
  },
};

function matrix(W: Float64Array, kappa: Float64Array, ctx: KernelContext): Float64Array {
  const nt = T(ctx);
  const r = R(ctx);
  const B = new Float64Array(nt * nt);
  for (let a = 0; a < nt; a++) {
    for (let b = 0; b < nt; b++) {
      let s = a === b ? kappa[a]! : 0;
      for (let k = 0; k < r; k++) s += W[a * r + k]! * W[b * r + k]!;
      B[a * nt + b] = s;
    }
  }
  return B;
}

/** Task indices of both sides of every pair (the kernel's single column, rounded). */
function tasks(pairs: Parameters<BaseKernel['value']>[2], t1: Float64Array, t2: Float64Array): void {
  const col = pairs.cols[0]!;
  const { x1, x2, stride, r0, r1, n2 } = pairs;
  if (pairs.paired) {
    for (let i = r0; i < r1; i++) {
      t1[i - r0] = Math.round(x1[i * stride + col]!);
      t2[i - r0] = Math.round(x2[i * stride + col]!);
    }
    return;
  }
  let p = 0;
  for (let i = r0; i < r1; i++) {
    const a = Math.round(x1[i * stride + col]!);
    for (let j = 0; j < n2; j++, p++) {
      t1[p] = a;
      t2[p] = Math.round(x2[j * stride + col]!);
    }
  }
}
