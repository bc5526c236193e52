// A squared circuit at run time: p(x) = f(x) / Z with f a sum of terms, each a product of
// circuits: square(c) is the one term c * c, sos(c_1, ..., c_r) the terms c_r * c_r, and
// c_plus * square(c) the one term c+ * c * c. Z is the sum of the terms' integrals (product
// circuits, circuits/squared/product.ts). log p of a complete row evaluates each circuit once
// (signed-evaluate.ts); a row with missing (NaN) cells is a marginal, the product circuits
// with those cells integrated out, over Z. Z is recomputed from the live parameter values on
// every call (after every parameter update); the product-circuit plans are built once per graph.
import type { SquareNode } from '../../ir/types.js';
import { termName, termRoots, tupleCircuit, type ProductCircuit } from '../../circuits/squared/product.js';

export { termRoots };
import { evalProduct, gradProduct, logIntegral, type CdfQuery, type PairValues } from '../../circuits/squared/product-eval.js';
import { signedBackward, signedForward, type SignedValues } from '../signed-evaluate.js';
import { foldedSignedOn, signedBackwardFolded, signedForwardFolded } from '../signed-evaluate-folded.js';
import type { ModelState } from '../state.js';

/** One term of f: the product of the circuits rooted at `roots` (a root may repeat: c * c). */
export interface SquaredTerm {
  readonly roots: readonly string[];
  readonly plan: ProductCircuit;
}

const plans = new WeakMap<object, SquaredTerm[]>();

export function squareOf(state: ModelState): SquareNode {
  const root = state.node(state.graph.root);
  if (root.kind !== 'square') throw new Error('not a squared circuit: its root is not a square node');
  return root;
}

/** The circuits a squared model evaluates (each once per row): every distinct term root. */
export function circuitRoots(sq: SquareNode): string[] {
  return [...new Set(termRoots(sq).flat())];
}

/** The terms of a squared model's graph with their product-circuit plans (cached). */
export function squaredTerms(state: ModelState): SquaredTerm[] {
  let ts = plans.get(state.graph);
  if (!ts) {
    const sq = squareOf(state);
    ts = termRoots(sq).map((roots) => ({ roots, plan: tupleCircuit(state.graph, roots, termName(roots)) }));
    plans.set(state.graph, ts);
  }
  return ts;
}

/** The plan of the first term (c * c for square(c)). */
export function productPlan(state: ModelState): ProductCircuit {
  return squaredTerms(state)[0]!.plan;
}

/** log sum_r exp(l_r) with signs; returns log|sum| and sign. */
function signedLse(ls: readonly number[], ss: readonly number[]): { l: number; s: number } {
  let m = -Infinity;
  for (let r = 0; r < ls.length; r++) if (ss[r] !== 0 && ls[r]! > m) m = ls[r]!;
  if (m === -Infinity) return { l: -Infinity, s: 0 };
  let t = 0;
  for (let r = 0; r < ls.length; r++) if (ss[r] !== 0) t += ss[r]! * Math.exp(ls[r]! - m);
  return t === 0 ? { l: -Infinity, s: 0 } : { l: m + Math.log(Math.abs(t)), s: Math.sign(t) };
}

interface LogZ {
  readonly logZ: number;
  readonly terms: { logAbs: number; sign: number; vals: PairValues; x: Float64Array }[];
}

function partition(state: ModelState): LogZ {
  const terms = squaredTerms(state).map((t) => logIntegral(t.plan, state));
  const z = signedLse(terms.map((t) => t.logAbs), terms.map((t) => t.sign));
  if (!(z.s > 0)) throw new Error(`the squared circuit's partition function is ${z.s === 0 ? 'zero' : 'negative'} (numerically): its parameters are degenerate`);
  return { logZ: z.l, terms };
}

export function logPartition(state: ModelState): number {
  return partition(state).logZ;
}

/** log Z of each term (sos: log integral of c_r^2), for sampling which term a row comes from. */
export function termLogPartitions(state: ModelState): number[] {
  return partition(state).terms.map((t) => t.logAbs);
}

function hasMissing(x: Float64Array, i: number, V: number): boolean {
  for (let j = 0; j < V; j++) if (Number.isNaN(x[i * V + j]!)) return true;
  return false;
}

/** Splits rows into complete ones and ones with missing cells. */
function split(x: Float64Array, n: number, V: number): { full: number[]; partial: number[] } {
  const full: number[] = [];
  const partial: number[] = [];
  for (let i = 0; i < n; i++) (hasMissing(x, i, V) ? partial : full).push(i);
  return { full, partial };
}

function rows(x: Float64Array, V: number, idx: readonly number[]): Float64Array {
  if (idx.length * V === x.length) return x; // every row, in order
  const out = new Float64Array(idx.length * V);
  idx.forEach((r, k) => out.set(x.subarray(r * V, (r + 1) * V), k * V));
  return out;
}

/** Per row: log|f(x_i)| and, per term, T_r(x_i) / f(x_i) (the term's share, for gradients). */
interface Combined {
  readonly logf: Float64Array;
  readonly share: Float64Array[];
}

function combine(termL: readonly Float64Array[], termS: readonly Float64Array[], n: number): Combined {
  const logf = new Float64Array(n);
  const share = termL.map(() => new Float64Array(n));
  const ls: number[] = new Array(termL.length);
  const ss: number[] = new Array(termL.length);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < termL.length; r++) {
      ls[r] = termL[r]![i]!;
      ss[r] = termS[r]![i]!;
    }
    const f = signedLse(ls, ss);
    // f >= 0 in exact arithmetic; a numerically negative f has no log-density
    logf[i] = f.s > 0 ? f.l : -Infinity;
    if (f.s > 0) for (let r = 0; r < termL.length; r++) share[r]![i] = ss[r] === 0 ? 0 : ss[r]! * Math.exp(ls[r]! - f.l);
  }
  return { logf, share };
}

/** Complete rows: each circuit once, then each term as the sum of its circuits' log|c|. */
function fullTerms(state: ModelState, xs: Float64Array, n: number): { vals: Map<string, SignedValues>; comb: Combined } {
  const sq = squareOf(state);
  const vals = new Map<string, SignedValues>();
  const fwd = foldedSignedOn() ? signedForwardFolded : signedForward;
  for (const r of circuitRoots(sq)) vals.set(r, fwd(state, r, xs, n));
  const termL: Float64Array[] = [];
  const termS: Float64Array[] = [];
  for (const roots of termRoots(sq)) {
    const l = new Float64Array(n);
    const s = new Float64Array(n).fill(1);
    for (const r of roots) {
      const v = vals.get(r)!;
      const rl = v.l.get(r)!;
      const rs = v.s.get(r)!;
      for (let i = 0; i < n; i++) {
        l[i] += rl[i]!;
        s[i] *= rs[i]!;
      }
    }
    termL.push(l);
    termS.push(s);
  }
  return { vals, comb: combine(termL, termS, n) };
}

/** Rows with missing cells: each term's product circuit with those cells integrated out. */
function partialTerms(state: ModelState, xs: Float64Array, n: number, cdf?: CdfQuery | readonly CdfQuery[]): { vals: PairValues[]; comb: Combined } {
  const vals = squaredTerms(state).map((t) => evalProduct(t.plan, state, xs, n, cdf));
  const terms = squaredTerms(state);
  return { vals, comb: combine(vals.map((v, r) => v.l.get(terms[r]!.plan.root)!), vals.map((v, r) => v.s.get(terms[r]!.plan.root)!), n) };
}

/**
 * log f(x_i) (unnormalized) per row over the product circuits, NaN cells integrated out, and
 * with `cdf` variable cdf.v integrated only up to cdf.upper[i] (sampling, CDFs).
 */
export function unnormalizedLog(state: ModelState, x: Float64Array, n: number, cdf?: CdfQuery | readonly CdfQuery[]): Float64Array {
  return partialTerms(state, x, n, cdf).comb.logf;
}

/**
 * log|F(x_i)| and its sign per row, where F is f with NaN cells integrated out and the
 * variables of `cdf` treated as it says; unlike unnormalizedLog, F may be negative (a moment
 * of f against an odd power).
 */
export function unnormalizedSigned(state: ModelState, x: Float64Array, n: number, cdf?: CdfQuery | readonly CdfQuery[]): { l: Float64Array; s: Float64Array } {
  const terms = squaredTerms(state);
  const vals = terms.map((t) => evalProduct(t.plan, state, x, n, cdf));
  const l = new Float64Array(n);
  const s = new Float64Array(n);
  const ls: number[] = new Array(terms.length);
  const ss: number[] = new Array(terms.length);
  for (let i = 0; i < n; i++) {
    terms.forEach((t, r) => {
      ls[r] = vals[r]!.l.get(t.plan.root)![i]!;
      ss[r] = vals[r]!.s.get(t.plan.root)![i]!;
    });
    const f = signedLse(ls, ss);
    l[i] = f.l;
    s[i] = f.s;
  }
  return { l, s };
}

/** log p(x_i) per row; NaN cells are marginalized exactly. */
export function squaredLogDensity(state: ModelState, x: Float64Array, n: number, logZ = logPartition(state)): Float64Array {
  const V = state.graph.vars.length;
  const out = new Float64Array(n);
  const { full, partial } = split(x, n, V);
  if (full.length) {
    const f = fullTerms(state, rows(x, V, full), full.length).comb.logf;
    full.forEach((r, k) => (out[r] = f[k]! - logZ));
  }
  if (partial.length) {
    const f = partialTerms(state, rows(x, V, partial), partial.length).comb.logf;
    partial.forEach((r, k) => (out[r] = f[k]! - logZ));
  }
  return out;
}

/**
 * sum_i w_i log p(x_i) and its gradient w.r.t. every parameter (natural space):
 * d log f(x_i) = sum_r T_r / f sum_{c in term r} d log|c(x_i)| (or, for rows with missing
 * cells, d log of each term's product circuit), minus d log Z per row.
 */
export function squaredGradients(state: ModelState, x: Float64Array, n: number, w: Float64Array): { grads: Map<string, Float64Array>; logLik: number } {
  const V = state.graph.vars.length;
  const sq = squareOf(state);
  const terms = squaredTerms(state);
  const roots = termRoots(sq);
  const grads = new Map<string, Float64Array>();
  for (const [k, v] of state.values) grads.set(k, new Float64Array(v.length));
  const z = partition(state);
  const { full, partial } = split(x, n, V);
  let logLik = 0;
  let total = 0;
  if (full.length) {
    const xs = rows(x, V, full);
    const { vals, comb } = fullTerms(state, xs, full.length);
    const flows = new Map<string, Float64Array>();
    for (const r of vals.keys()) flows.set(r, new Float64Array(full.length));
    full.forEach((r, k) => {
      logLik += w[r]! * (comb.logf[k]! - z.logZ);
      total += w[r]!;
      roots.forEach((term, t) => {
        for (const c of term) flows.get(c)![k] += w[r]! * comb.share[t]![k]!;
      });
    });
    const bwd = foldedSignedOn() ? signedBackwardFolded : signedBackward;
    for (const [r, v] of vals) bwd(state, r, v, xs, full.length, flows.get(r)!, grads);
  }
  if (partial.length) {
    const xs = rows(x, V, partial);
    const { vals, comb } = partialTerms(state, xs, partial.length);
    partial.forEach((r, k) => {
      logLik += w[r]! * (comb.logf[k]! - z.logZ);
      total += w[r]!;
    });
    terms.forEach((t, ti) => gradProduct(t.plan, state, xs, partial.length, vals[ti]!, Float64Array.from(partial, (r, k) => w[r]! * comb.share[ti]![k]!), grads));
  }
  // - total * d log Z = - total * sum_r (Z_r / Z) d log Z_r
  terms.forEach((t, ti) => {
    const zt = z.terms[ti]!;
    const share = zt.sign === 0 ? 0 : zt.sign * Math.exp(zt.logAbs - z.logZ);
    gradProduct(t.plan, state, zt.x, 1, zt.vals, Float64Array.of(-total * share), grads);
  });
  return { grads, logLik };
}
