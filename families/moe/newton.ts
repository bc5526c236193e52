// Weighted Newton ascent, the one M-step of the GLM, leaf and categorical experts and the softmax
// gate: from x, solve H step = g (H the negative Hessian: exact from the problem, or central
// differences of its gradient), then halve the step until the objective does not fall, so a
// generalized EM never falls. It stops at `steps` steps, when no halving helps, or when a step
// gains no more than tol * max(1, |objective|).
import { chol, cholJitter, cholSolve } from './linalg.js';

export interface NewtonProblem {
  /** The objective to maximize at x. */
  objective(x: Float64Array): number;
  /**
   * The gradient at x into g and, where the Hessian is exact, the negative Hessian into H (full,
   * row-major); both come zeroed. With finite differences H is undefined.
   */
  derivatives(x: Float64Array, g: Float64Array, H: Float64Array | undefined): void;
}

export interface NewtonOptions {
  readonly steps: number;
  /** 'exact': the problem's; 'differences': central differences of its gradient (a handful of unknowns). */
  readonly hessian: 'exact' | 'differences';
  /** 'jitter': Cholesky with jitter on failure; 'damped': the least Levenberg damping that makes H positive definite. */
  readonly solve: 'jitter' | 'damped';
  readonly halvings: number;
  readonly tol: number;
  /** The objective at the start, where the caller has it. */
  readonly start?: number;
}

/** Newton steps on x in place; returns the objective reached. */
export function newtonAscent(p: NewtonProblem, x: Float64Array, o: NewtonOptions): number {
  const n = x.length;
  let q = o.start ?? p.objective(x);
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const trial = new Float64Array(n);
  for (let s = 0; s < o.steps; s++) {
    g.fill(0);
    H.fill(0);
    p.derivatives(x, g, o.hessian === 'exact' ? H : undefined);
    if (o.hessian === 'differences') differenceHessian(p, x, H);
    const step = o.solve === 'jitter' ? cholSolve(cholJitter(H, n), n, Float64Array.from(g)) : dampedSolve(H, n, g);
    let t = 1;
    let moved = false;
    for (let h = 0; h < o.halvings; h++, t /= 2) {
      for (let a = 0; a < n; a++) trial[a] = x[a]! + t * step[a]!;
      const qt = p.objective(trial);
      if (qt >= q) {
        const gain = qt - q;
        moved = gain > 0;
        x.set(trial);
        q = qt;
        if (gain <= o.tol * Math.max(1, Math.abs(q))) return q;
        break;
      }
    }
    if (!moved) return q;
  }
  return q;
}

/** Minus the central differences of the gradient, symmetrized, into H. */
function differenceHessian(p: NewtonProblem, x: Float64Array, H: Float64Array): void {
  const n = x.length;
  const at = Float64Array.from(x);
  const up = new Float64Array(n);
  const dn = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[a]!));
    up.fill(0);
    dn.fill(0);
    at[a] = x[a]! + h;
    p.derivatives(at, up, undefined);
    at[a] = x[a]! - h;
    p.derivatives(at, dn, undefined);
    at[a] = x[a]!;
    for (let z = 0; z < n; z++) H[z * n + a] = -(up[z]! - dn[z]!) / (2 * h);
  }
  for (let a = 0; a < n; a++) for (let z = 0; z < a; z++) H[a * n + z] = H[z * n + a] = 0.5 * (H[a * n + z]! + H[z * n + a]!);
}

/** Solves (A + lambda I) x = g with the smallest lambda (0, then growing) that makes A + lambda I positive definite. */
function dampedSolve(A: Float64Array, n: number, g: Float64Array): Float64Array {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(A[i * n + i]!));
  for (let lambda = 0, e = -10; e <= 6; e++) {
    const B = Float64Array.from(A);
    for (let i = 0; i < n; i++) B[i * n + i] += lambda;
    const l = chol(B, n);
    if (l) return cholSolve(l, n, Float64Array.from(g));
    lambda = (scale || 1) * 10 ** e;
  }
  // a plain gradient step (the halving finds its length)
  return Float64Array.from(g, (v) => v / (scale || 1));
}

/**
 * The experts' M-step weights: for each expert k with mass above 1e-10 of the rows' total, calls
 * fit(k, c) with c_i = w_i r_ik (row weight times responsibility).
 */
export function forEachExpertWeights(K: number, w: ArrayLike<number>, R: ArrayLike<number>, fit: (k: number, c: Float64Array) => void): void {
  const n = w.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const c = new Float64Array(n);
  for (let k = 0; k < K; k++) {
    let mass = 0;
    for (let i = 0; i < n; i++) {
      c[i] = w[i]! * R[i * K + k]!;
      mass += c[i]!;
    }
    if (mass > 1e-10 * total) fit(k, c);
  }
}
