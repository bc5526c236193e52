// Maps parameters between their natural values and the unconstrained space gradient
// learners work in, and carries gradients across (the chain rule of each parameterization).
import type { IRParam } from '../../ir/types.js';
import { cholesky } from '../../stdlib/distributions/index.js';

const sigmoid = (u: number): number => 1 / (1 + Math.exp(-u));

/** Natural values -> unconstrained vector. */
export function toFree(p: IRParam, v: Float64Array): Float64Array {
  const k = p.param.kind;
  switch (k) {
    case 'positive':
      return v.map((x) => Math.log(Math.max(x, 1e-300)));
    case 'unit':
      return v.map((x) => {
        const c = Math.min(Math.max(x, 1e-12), 1 - 1e-12);
        return Math.log(c / (1 - c));
      });
    case 'bounded': {
      const { lower, upper } = p.param as { lower: number; upper: number };
      return v.map((x) => {
        const t = Math.min(Math.max((x - lower) / (upper - lower), 1e-12), 1 - 1e-12);
        return Math.log(t / (1 - t));
      });
    }
    case 'simplex':
      return v.map((x) => Math.log(Math.max(x, 1e-300)));
    case 'spd': {
      const d = p.shape[p.shape.length - 1]!;
      const out = new Float64Array(v.length);
      for (let off = 0; off < v.length; off += d * d) {
        const l = v.slice(off, off + d * d);
        if (!cholesky(l, d)) throw new Error(`parameter '${p.name}' is not positive definite`);
        for (let i = 0; i < d; i++) {
          for (let j = 0; j <= i; j++) out[off + i * d + j] = i === j ? Math.log(l[i * d + i]!) : l[i * d + j]!;
        }
      }
      return out;
    }
    default:
      return Float64Array.from(v);
  }
}

/** Unconstrained vector -> natural values, written into `out`. */
export function fromFree(p: IRParam, u: Float64Array, out: Float64Array): void {
  switch (p.param.kind) {
    case 'positive':
      for (let i = 0; i < u.length; i++) out[i] = Math.exp(u[i]!);
      return;
    case 'unit':
      for (let i = 0; i < u.length; i++) out[i] = sigmoid(u[i]!);
      return;
    case 'bounded': {
      const { lower, upper } = p.param;
      for (let i = 0; i < u.length; i++) out[i] = lower + (upper - lower) * sigmoid(u[i]!);
      return;
    }
    case 'simplex': {
      const a = p.shape[p.shape.length - 1]!;
      for (let off = 0; off < u.length; off += a) {
        let m = -Infinity;
        for (let i = 0; i < a; i++) m = Math.max(m, u[off + i]!);
        let s = 0;
        for (let i = 0; i < a; i++) s += Math.exp(u[off + i]! - m);
        for (let i = 0; i < a; i++) out[off + i] = Math.exp(u[off + i]! - m) / s;
      }
      return;
    }
    case 'spd': {
      const d = p.shape[p.shape.length - 1]!;
      for (let off = 0; off < u.length; off += d * d) {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j < d; j++) {
            let s = 0;
            for (let k = 0; k <= Math.min(i, j); k++) s += lower(u, off, d, i, k) * lower(u, off, d, j, k);
            out[off + i * d + j] = s;
          }
        }
      }
      return;
    }
    default:
      out.set(u);
  }
}

function lower(u: Float64Array, off: number, d: number, i: number, j: number): number {
  if (j > i) return 0;
  return i === j ? Math.exp(u[off + i * d + i]!) : u[off + i * d + j]!;
}

/**
 * Gradient w.r.t. natural values g -> gradient w.r.t. the unconstrained vector u (v = natural
 * values); into `into` (g's length, every entry written) where given, else a new array.
 */
export function chainGrad(p: IRParam, u: Float64Array, v: Float64Array, g: Float64Array, into?: Float64Array): Float64Array {
  const out = into ?? new Float64Array(g.length);
  switch (p.param.kind) {
    case 'positive':
      for (let i = 0; i < g.length; i++) out[i] = g[i]! * v[i]!;
      return out;
    case 'unit':
      for (let i = 0; i < g.length; i++) out[i] = g[i]! * v[i]! * (1 - v[i]!);
      return out;
    case 'bounded': {
      const { lower: lo, upper: hi } = p.param;
      for (let i = 0; i < g.length; i++) out[i] = (g[i]! * (v[i]! - lo) * (hi - v[i]!)) / (hi - lo);
      return out;
    }
    case 'simplex': {
      const a = p.shape[p.shape.length - 1]!;
      for (let off = 0; off < g.length; off += a) {
        let vg = 0;
        for (let i = 0; i < a; i++) vg += v[off + i]! * g[off + i]!;
        for (let i = 0; i < a; i++) out[off + i] = v[off + i]! * (g[off + i]! - vg);
      }
      return out;
    }
    case 'spd': {
      // Sigma = L L^T; for a symmetric G = dlogp/dSigma, dlogp/dL = 2 G L (lower part);
      // the diagonal of L is stored as a log.
      const d = p.shape[p.shape.length - 1]!;
      if (into) out.fill(0); // the upper triangle is not written below
      for (let off = 0; off < g.length; off += d * d) {
        for (let i = 0; i < d; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let k = j; k < d; k++) {
              const gs = 0.5 * (g[off + i * d + k]! + g[off + k * d + i]!);
              s += gs * lower(u, off, d, k, j);
            }
            const gl = 2 * s;
            out[off + i * d + j] = i === j ? gl * Math.exp(u[off + i * d + i]!) : gl;
          }
        }
      }
      return out;
    }
    default:
      out.set(g);
      return out;
  }
}
