// The exact GP's kernel work in one fused pass over the lower triangle, for the kernels most
// fits use: sums of [scaled] rbf / matern32 / matern52 (shared or ARD lengthscales, any input
// columns) and [scaled] white noise. The general evaluator (stdlib/kernels/expr.ts) makes ~10
// passes per block of pairs (distances per column, exp, scalings, the backward pass with its
// own distances again); here each pair's distance and kernel value are computed once and every
// hyperparameter's sum is accumulated in the same loop. Anything else (products, periodic,
// multitask...) returns null from fusedPlan: exact.ts then runs the evaluator, the reference.
//   grad = 1/2 sum_ij W_ij dK_ij/dtheta = sum_{j<i} W_ij dK_ij + 1/2 sum_i W_ii dK_ii,
//   W = a a^T - K^-1 (exact.ts); only K^-1's lower triangle is read.
import type { KernelExpr } from '../../ir/types.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';

type Shape = 'rbf' | 'matern32' | 'matern52';
const SHAPES: readonly string[] = ['rbf', 'matern32', 'matern52'];

interface StatTerm {
  readonly shape: Shape;
  /** Scale factors multiplying the term (parameter names; their product is c). */
  readonly scales: readonly string[];
  readonly ls: string;
  readonly cols: readonly number[];
}

interface WhiteTerm {
  readonly scales: readonly string[];
  readonly noise: string;
}

export interface FusedPlan {
  readonly stat: readonly StatTerm[];
  readonly white: readonly WhiteTerm[];
}

/** The plan for the GP's kernel, or null when its shape is not covered (the evaluator's path). */
export function fusedPlan(core: GPCore): FusedPlan | null {
  if (core.stride !== core.inputs) return null; // a task column: multitask kernels
  const stat: StatTerm[] = [];
  const white: WhiteTerm[] = [];
  const walk = (e: KernelExpr, scales: string[]): boolean => {
    switch (e.op) {
      case 'sum':
        return e.terms.every((t) => walk(t, scales));
      case 'scale':
        return walk(e.kernel, [...scales, e.factor]);
      case 'product':
        return false;
      case 'base': {
        if (e.options && Object.keys(e.options).length > 0) return false;
        if (e.name === 'white' && e.params.noise !== undefined) {
          white.push({ scales, noise: e.params.noise });
          return true;
        }
        if (!SHAPES.includes(e.name) || e.params.ls === undefined) return false;
        const cols = e.dims ? [...e.dims] : Array.from({ length: core.inputs }, (_, c) => c);
        const ls = core.value(e.params.ls).length;
        if (ls !== 1 && ls !== cols.length) return false;
        stat.push({ shape: e.name as Shape, scales, ls: e.params.ls, cols });
        return true;
      }
    }
  };
  return walk(core.node.kernel, []) ? { stat, white } : null;
}

const S3 = Math.sqrt(3);
const S5 = Math.sqrt(5);

/** Kernel value f(s) and df/ds of a shape at the scaled squared distance s (df/ds into out[0]). */
function shapeAt(shape: Shape, s: number, out: Float64Array): number {
  if (shape === 'rbf') {
    const f = Math.exp(-0.5 * s);
    out[0] = -0.5 * f;
    return f;
  }
  if (shape === 'matern52') {
    const r = S5 * Math.sqrt(s);
    if (!(r < Infinity)) return (out[0] = 0);
    const e = Math.exp(-r);
    out[0] = (-5 / 6) * (1 + r) * e;
    return (1 + r + (5 / 3) * s) * e;
  }
  const r = S3 * Math.sqrt(s);
  if (!(r < Infinity)) return (out[0] = 0);
  const e = Math.exp(-r);
  out[0] = -1.5 * e;
  return (1 + r) * e;
}

const product = (core: GPCore, names: readonly string[], skip = -1): number => names.reduce((p, nm, k) => (k === skip ? p : p * core.value(nm)[0]!), 1);

/**
 * Fills the lower triangle of buf (n x n) with k(X, X) (no likelihood noise: exact.ts adds it),
 * as fillTrainCov does through the evaluator.
 */
export function fusedFill(plan: FusedPlan, core: GPCore, d: GPData, buf: Float64Array): void {
  const n = d.n;
  const x = d.x;
  const D = d.stride;
  const df = new Float64Array(1);
  const terms = plan.stat.map((t) => ({ ...t, c: product(core, t.scales), inv: invLs(core.value(t.ls), t.cols.length) }));
  let whiteDiag = 0;
  for (const w of plan.white) whiteDiag += product(core, w.scales) * core.value(w.noise)[0]!;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    buf.fill(0, ri, ri + i + 1);
    for (const t of terms) {
      const { cols, inv, c, shape } = t;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let q = 0; q < cols.length; q++) {
          const z = (x[i * D + cols[q]!]! - x[j * D + cols[q]!]!) * inv[q]!;
          s += z * z;
        }
        buf[ri + j] += c * shapeAt(shape, s, df);
      }
    }
    buf[ri + i] += whiteDiag;
  }
}

/** 1 / ls per column (a shared lengthscale repeated). */
function invLs(ls: Float64Array, dims: number): Float64Array {
  return Float64Array.from({ length: dims }, (_, q) => 1 / (ls.length === 1 ? ls[0]! : ls[q]!));
}

/**
 * Accumulates into grads (natural units; parameters missing from the map are skipped) the
 * kernel part of the LML gradient: W_ij = a_i a_j - kinv_ij for j < i, (a_i^2 - kinv_ii) / 2 on
 * the diagonal, kinv's lower triangle read (row-major n x n).
 */
export function fusedGrad(plan: FusedPlan, core: GPCore, d: GPData, a: Float64Array, kinv: Float64Array, grads: ReadonlyMap<string, Float64Array>): void {
  const n = d.n;
  const x = d.x;
  const D = d.stride;
  const df = new Float64Array(1);
  // The diagonal's weights, for white terms (and stationary terms' own diagonal: f(0)).
  let wDiag = 0;
  for (let i = 0; i < n; i++) wDiag += 0.5 * (a[i]! * a[i]! - kinv[i * n + i]!);
  for (const t of plan.stat) {
    const dims = t.cols.length;
    const lsv = core.value(t.ls);
    const inv = invLs(lsv, dims);
    const c = product(core, t.scales);
    const cols = t.cols;
    const diff = new Float64Array(dims);
    const accD = new Float64Array(dims); // sum W df/ds diff_q^2 (scaled by 1 / ls_q^2 below)
    let accF = 0; // sum W f
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const ai = a[i]!;
      const xi = i * D;
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let q = 0; q < dims; q++) {
          const z = (x[xi + cols[q]!]! - x[j * D + cols[q]!]!) * inv[q]!;
          diff[q] = z * z;
          s += diff[q]!;
        }
        const w = ai * a[j]! - kinv[ri + j]!;
        accF += w * shapeAt(t.shape, s, df);
        const wd = w * df[0]!;
        for (let q = 0; q < dims; q++) accD[q] += wd * diff[q]!;
      }
    }
    // The diagonal: s = 0, f = 1 (every shape), no lengthscale term.
    accF += wDiag;
    t.scales.forEach((nm, k) => {
      const g = grads.get(nm);
      if (g) g[0] += accF * product(core, t.scales, k);
    });
    const g = grads.get(t.ls);
    if (g) {
      // dk/dls_q = c df/ds (-2 (x_q - x'_q)^2 / ls_q^3) = c df/ds (-2 z_q^2 / ls_q), z_q = diff / ls_q.
      if (lsv.length === 1) g[0] += (-2 * c * accD.reduce((u, v) => u + v, 0)) / lsv[0]!;
      else for (let q = 0; q < dims; q++) g[q] += (-2 * c * accD[q]!) / lsv[q]!;
    }
  }
  for (const w of plan.white) {
    const v = core.value(w.noise)[0]!;
    const gn = grads.get(w.noise);
    if (gn) gn[0] += wDiag * product(core, w.scales);
    w.scales.forEach((nm, k) => {
      const g = grads.get(nm);
      if (g) g[0] += wDiag * v * product(core, w.scales, k);
    });
  }
}
