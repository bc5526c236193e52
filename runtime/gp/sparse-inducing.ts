// The sparse GP's inducing points and whitened projections (sparse.ts): Z and its scales, the
// factor of Kmm, A = K_xm L^-T, q(v)'s covariance from its square root, and the shrinking of S.
import { solveLower } from '../kernels/cholesky.js';
import type { ModelState } from '../state.js';
import { GPCore } from './core.js';
import type { GPData } from './data.js';
import { factorWithJitter } from './factor.js';
import { gpNode } from './fit.js';

export const LOG_2PI = Math.log(2 * Math.PI);

export interface Inducing {
  readonly z: Float64Array;
  readonly m: number;
  /** L with L L^T = Kmm + jitter, and the jitter it needed. */
  readonly l: Float64Array;
  readonly jitter: number;
}

export function sparseNames(state: ModelState): { z: string; qm: string; qs: string; m: number; learn: boolean } {
  const node = gpNode(state.graph);
  if (node.inference.kind !== 'sparse') throw new Error('not a sparse GP');
  const inf = node.inference;
  return { z: inf.inducing, qm: inf.qMean, qs: inf.qSqrt, m: inf.m, learn: inf.learnInducing ?? true };
}

/** Per input column, the scale Adam moves inducing inputs in: the column's standard deviation (1 when constant). */
export function columnScales(d: GPData): Float64Array {
  const out = new Float64Array(d.stride);
  for (let c = 0; c < d.stride; c++) {
    let m = 0;
    for (let i = 0; i < d.n; i++) m += d.x[i * d.stride + c]! / d.n;
    let v = 0;
    for (let i = 0; i < d.n; i++) v += (d.x[i * d.stride + c]! - m) ** 2 / d.n;
    const sd = Math.sqrt(v);
    out[c] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return out;
}

export function inducing(core: GPCore, z: Float64Array, m: number): Inducing {
  const ev = core.evaluator;
  const f = factorWithJitter((b) => ev.value(ev.pairs(z, z, 0, m, m, { same: true }), b), m, { x: z, d: core.stride });
  return { z, m, l: f.l, jitter: f.jitter };
}

/** A^T = L^-1 Kmx (M x b, row-major) for the points x. */
export function whitened(core: GPCore, ind: Inducing, x: Float64Array, b: number): Float64Array {
  const M = ind.m;
  const kxm = new Float64Array(b * M);
  const ev = core.evaluator;
  ev.value(ev.pairs(x, ind.z, 0, b, M), kxm);
  const at = new Float64Array(M * b);
  for (let i = 0; i < b; i++) for (let j = 0; j < M; j++) at[j * b + i] = kxm[i * M + j]!;
  solveLower(ind.l, M, at, b);
  return at;
}

/** S = Q Q^T from the stored lower factor. */
export function covFromSqrt(q: Float64Array, m: number): Float64Array {
  const s = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = 0; k <= j; k++) t += q[i * m + k]! * q[j * m + k]!;
      s[i * m + j] = t;
      s[j * m + i] = t;
    }
  }
  return s;
}

/** t = (S - I) A^T (M x b). */
export function shrink(s: Float64Array, at: Float64Array, M: number, b: number): Float64Array {
  const t = new Float64Array(M * b);
  for (let j = 0; j < M; j++) {
    for (let k = 0; k < M; k++) {
      const d = s[j * M + k]! - (j === k ? 1 : 0);
      if (d === 0) continue;
      for (let i = 0; i < b; i++) t[j * b + i] += d * at[k * b + i]!;
    }
  }
  return t;
}
