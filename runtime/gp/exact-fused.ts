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

const SHAPE_CODE: Readonly<Record<Shape, number>> = { rbf: 0, matern32: 1, matern52: 2 };

/** The inputs' columns `cols` divided by their lengthscales, row-major n x cols.length. */
function scaledInputs(x: Float64Array, n: number, D: number, cols: readonly number[], inv: Float64Array): Float64Array {
  const dims = cols.length;
  const z = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) for (let q = 0; q < dims; q++) z[i * dims + q] = x[i * D + cols[q]!]! * inv[q]!;
  return z;
}

/** Kernel value f(s) and df/ds of a shape (SHAPE_CODE) at the scaled squared distance s (df/ds into out[0]). */
function shapeAt(shape: number, s: number, out: Float64Array): number {
  if (shape === 0) {
    const f = Math.exp(-0.5 * s);
    out[0] = -0.5 * f;
    return f;
  }
  if (shape === 2) {
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
  const zs = terms.map((t) => scaledInputs(x, n, D, t.cols, t.inv));
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    buf.fill(0, ri, ri + i + 1);
    terms.forEach((t, k) => {
      const z = zs[k]!;
      const dims = t.cols.length;
      const code = SHAPE_CODE[t.shape];
      const c = t.c;
      const zi = i * dims;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let q = 0; q < dims; q++) {
          const u = z[zi + q]! - z[j * dims + q]!;
          s += u * u;
        }
        buf[ri + j] += c * shapeAt(code, s, df);
      }
    });
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
    const z = scaledInputs(x, n, D, cols, inv);
    const accD = new Float64Array(dims); // sum W df/ds z_q^2, z = (x_q - x'_q) / ls_q
    const code = SHAPE_CODE[t.shape];
    let accF = 0; // sum W f
    for (let i = 1; i < n; i++) {
      const ri = i * n;
      const ai = a[i]!;
      if (dims === 1) {
        const zi = z[i]!;
        let f1 = 0;
        let d1 = 0;
        for (let j = 0; j < i; j++) {
          const u = zi - z[j]!;
          const u2 = u * u;
          const w = ai * a[j]! - kinv[ri + j]!;
          f1 += w * shapeAt(code, u2, df);
          d1 += w * df[0]! * u2;
        }
        accF += f1;
        accD[0] += d1;
      } else if (dims === 2) {
        const zi0 = z[2 * i]!;
        const zi1 = z[2 * i + 1]!;
        let f1 = 0;
        let d0 = 0;
        let d1 = 0;
        for (let j = 0; j < i; j++) {
          const u = zi0 - z[2 * j]!;
          const v = zi1 - z[2 * j + 1]!;
          const u2 = u * u;
          const v2 = v * v;
          const w = ai * a[j]! - kinv[ri + j]!;
          f1 += w * shapeAt(code, u2 + v2, df);
          const wd = w * df[0]!;
          d0 += wd * u2;
          d1 += wd * v2;
        }
        accF += f1;
        accD[0] += d0;
        accD[1] += d1;
      } else {
        const zi = i * dims;
        for (let j = 0; j < i; j++) {
          let s = 0;
          for (let q = 0; q < dims; q++) {
            const u = z[zi + q]! - z[j * dims + q]!;
            s += u * u;
          }
          const w = ai * a[j]! - kinv[ri + j]!;
          accF += w * shapeAt(code, s, df);
          const wd = w * df[0]!;
          for (let q = 0; q < dims; q++) {
            const u = z[zi + q]! - z[j * dims + q]!;
            accD[q] += wd * u * u;
          }
        }
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
