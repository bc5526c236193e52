// Collapsed Normal components: with reg_covar = 0 (or negligible against the data's scale) a
// component that owns a cluster of identical rows shrinks onto one point, its covariance
// becomes singular and its density infinite. EM re-initializes such a component (mean at a
// random row far from it, covariance from the data, mixing weight reset) a few times, then
// stops with an error naming it.
import type { InputNode } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import { PmixError } from '../errors.js';
import { gather, type ModelState } from '../state.js';

/** Re-initializations allowed per run of EM before it gives up. */
export const MAX_REINITS = 3;

/** Weighted variance of each column of x (n x D, NaN = missing). */
export function columnVariances(x: Float64Array, n: number, D: number, w: Float64Array): Float64Array {
  const out = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let sw = 0;
    let s = 0;
    for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * D + d]!) && w[i]! > 0) (sw += w[i]!), (s += w[i]! * x[i * D + d]!);
    const mean = sw > 0 ? s / sw : 0;
    let q = 0;
    for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * D + d]!) && w[i]! > 0) q += w[i]! * (x[i * D + d]! - mean) ** 2;
    out[d] = sw > 0 ? q / sw : 0;
  }
  return out;
}

/**
 * The collapse test's scale of each column: the smaller of its variance and (1.4826 MAD)^2, so
 * one extreme row (a body mass of 1e12 among thousands) does not make every ordinary component
 * look like a spike against a variance it inflated by 15 orders of magnitude.
 */
export function robustVariances(x: Float64Array, n: number, D: number, w: Float64Array): Float64Array {
  const out = columnVariances(x, n, D, w);
  for (let d = 0; d < D; d++) {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * D + d]!) && w[i]! > 0) vals.push(x[i * D + d]!);
    if (vals.length === 0) continue;
    const med = median(vals);
    const mad = median(vals.map((v) => Math.abs(v - med)));
    const robust = (1.4826 * mad) ** 2;
    if (robust > 0 && robust < out[d]!) out[d] = robust;
  }
  return out;
}

function median(v: number[]): number {
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Collapse {
  readonly node: InputNode;
  readonly unit: number;
}

/** The first collapsed unit of any layer whose family declares a collapse test (LeafFamily.degeneracy), or undefined. */
export function findCollapse(state: ModelState, dataVars: ReadonlyMap<string, Float64Array>): Collapse | undefined {
  for (const [id, layer] of state.layers) {
    const deg = layer.family.degeneracy;
    if (!deg) continue;
    const dv = dataVars.get(id);
    if (!dv) continue;
    const units = deg.units(layer.ctx);
    for (let u = 0; u < units; u++) if (deg.collapsed(layer.params, layer.ctx, u, dv)) return { node: layer.node, unit: u };
  }
  return undefined;
}

export function collapseError(c: Collapse, iteration: number, times: number): PmixError {
  const where = c.node.source ? ` (model text ${c.node.source.line}:${c.node.source.column})` : '';
  const what = c.node.variant === 'tied' ? `the tied covariance of Normal layer ${c.node.id}${where}` : `component ${c.unit + 1} of Normal layer ${c.node.id}${where}`;
  return new PmixError(
    `EM stopped at iteration ${iteration}: ${what} collapsed onto a single point (singular covariance)${times > 0 ? ` after ${times} re-initialization(s)` : ''}`,
    'collapsed',
    'raise reg_covar (e.g. reg_covar = 1e-6), lower k, remove duplicated rows, or look for an extreme row the component may have captured (standardize the columns, or use robust leaves such as StudentT)',
  );
}

/**
 * Restarts unit c.unit: its mean at a row drawn with probability proportional to its squared
 * standardized distance from the old mean, its covariance the data's (diagonal) variances, its
 * mixing weight reset to 1/arity. Returns false when that cannot help (a tied covariance, or a
 * column without spread and reg_covar = 0).
 */
export function reinitialize(state: ModelState, c: Collapse, xs: Float64Array, n: number, w: Float64Array, dataVar: Float64Array, reg: number, rng: Rng): boolean {
  const layer = state.layers.get(c.node.id)!;
  const { dims: D, variant } = layer.ctx;
  if (variant === 'tied') return false;
  const v = Array.from(dataVar, (x) => x + reg);
  if (v.some((x) => !(x > 0) || !Number.isFinite(x))) return false;
  const mu = layer.params['mean']!.subarray(c.unit * D, (c.unit + 1) * D);
  const dist = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(w[i]! > 0)) continue;
    let s = 0;
    for (let d = 0; d < D; d++) {
      const xv = xs[i * D + d]!;
      if (!Number.isNaN(xv)) s += (xv - mu[d]!) ** 2 / v[d]!;
    }
    dist[i] = Number.isFinite(s) ? s * w[i]! : 0;
    total += dist[i]!;
  }
  if (!(total > 0)) return false;
  let r = rng.uniform() * total;
  let pick = 0;
  for (let i = 0; i < n; i++) {
    r -= dist[i]!;
    pick = i;
    if (r <= 0 && dist[i]! > 0) break;
  }
  for (let d = 0; d < D; d++) {
    const xv = xs[pick * D + d]!;
    if (!Number.isNaN(xv)) mu[d] = xv;
  }
  if (variant === 'diag') layer.params['var']!.set(v, c.unit * D);
  else if (variant === 'spherical') layer.params['var']![c.unit] = v.reduce((a, b) => a + b, 0) / D;
  else {
    const cov = layer.params['cov']!.subarray(c.unit * D * D, (c.unit + 1) * D * D);
    cov.fill(0);
    for (let d = 0; d < D; d++) cov[d * D + d] = v[d]!;
  }
  resetWeight(state, c.node.id, c.unit);
  return true;
}

/** Sets the weight of the branch holding unit `unit` of node `id` to 1/arity in its nearest mixing parent. */
function resetWeight(state: ModelState, id: string, unit: number): void {
  for (const p of state.nodes) {
    if (p.kind !== 'mixing' && p.kind !== 'product') continue;
    if (!p.children.includes(id)) continue;
    if (p.kind === 'product') {
      if (p.mode === 'hadamard') resetWeight(state, p.id, unit);
      return;
    }
    let j = unit;
    for (const c of p.children) {
      if (c === id) break;
      j += state.node(c).units;
    }
    const A = p.arity;
    const a = Math.floor(j / p.units);
    const u = j % p.units;
    const wv = state.values.get(p.weights)!;
    if (state.param(p.weights).fixed) return;
    const row = wv.subarray(u * A, (u + 1) * A);
    const rest = row.reduce((s, x, b) => (b === a ? s : s + x), 0);
    for (let b = 0; b < A; b++) row[b] = b === a ? 1 / A : rest > 0 ? (row[b]! / rest) * (1 - 1 / A) : 1 / A;
    return;
  }
}

/**
 * The collapse repair of an EM run (the driver calls it after initialization and after every
 * iteration): re-initializes each collapsed component (of a leaf family that declares a
 * degeneracy test, LeafFamily.degeneracy) from the rows `xsByNode` (all of
 * them, or streaming EM's sample), at most MAX_REINITS times per run; true when one was.
 * A collapse it cannot repair (frozen parameters, too many) is an error naming the iteration.
 */
export function collapseRepairer(state: ModelState, xsByNode: ReadonlyMap<string, Float64Array>, n: number, w: Float64Array, regCovar: number, rng: Rng): (iteration: number) => boolean {
  // The test's scale is robust (one extreme row must not make every component a spike); a
  // re-initialized component still starts with the data's plain variances.
  const dataVars = new Map<string, Float64Array>();
  const plainVars = new Map<string, Float64Array>();
  for (const node of state.nodes) {
    if (node.kind !== 'input' || !state.layers.get(node.id)!.family.degeneracy) continue;
    plainVars.set(node.id, columnVariances(xsByNode.get(node.id)!, n, node.scope.length, w));
    dataVars.set(node.id, robustVariances(xsByNode.get(node.id)!, n, node.scope.length, w));
  }
  let reinits = 0;
  return (it) => {
    let any = false;
    for (let c = findCollapse(state, dataVars); c; c = findCollapse(state, dataVars)) {
      const layer = state.layers.get(c.node.id)!;
      const frozen = Object.values(layer.names).some((nm) => state.param(nm).fixed);
      if (frozen || reinits >= MAX_REINITS || !reinitialize(state, c, xsByNode.get(c.node.id)!, n, w, plainVars.get(c.node.id)!, regCovar, rng)) throw collapseError(c, it, reinits);
      reinits++;
      any = true;
    }
    return any;
  };
}

/** The columns (variable indices) read by leaves with a collapse test (Normal): those a covariance floor applies to. */
function flooredColumns(state: ModelState): number[] {
  const cols = new Set<number>();
  for (const node of state.nodes) if (node.kind === 'input' && state.layers.get(node.id)!.family.degeneracy) for (const c of node.scope) cols.add(c);
  return [...cols].sort((a, b) => a - b);
}

/**
 * reg_covar in the data's units: reg_covar x min(1, the smallest variance of a Normal leaf's
 * column). Data of ordinary scale (every such column with variance >= 1) keeps reg_covar as
 * given, as scikit-learn does; on data scaled by 1e-150 it no longer swamps every variance (the
 * fit used to end with all variances equal to reg_covar and identical means), so the fit is
 * that of the unscaled data, scaled (issue 22, Numerics).
 */
export function scaledRegCovar(state: ModelState, x: Float64Array, n: number, w: Float64Array, regCovar: number): number {
  const cols = flooredColumns(state);
  if (cols.length === 0 || !(regCovar > 0)) return regCovar;
  const vars = columnVariances(gather(x, n, state.graph.vars.length, cols), n, cols.length, w);
  let least = 1;
  for (const v of vars) if (v > 0 && v < least) least = v;
  return regCovar * least;
}

/** Below this a variance's squares are near float64's smallest normal numbers (2.2e-308): data at 1e-300 gave a meaningless fit. */
const TINY_VARIANCE = 1e-306;

function distinct(x: Float64Array, n: number, V: number, c: number): boolean {
  let first = NaN;
  for (let i = 0; i < n; i++) {
    const v = x[i * V + c]!;
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return true;
  }
  return false;
}

function firstValue(x: Float64Array, n: number, V: number, c: number): number {
  for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * V + c]!)) return x[i * V + c]!;
  return NaN;
}

/**
 * Columns a Normal leaf cannot fit in double precision: values so large that their variance
 * overflows (|x| beyond ~1e154), or so small that it underflows to the bottom of the range (|x| below ~1e-153). Stops before the fit, naming the column (they used to end in a
 * "collapsed component ... remove duplicated rows" error).
 */
export function checkColumnScales(state: ModelState, x: Float64Array, n: number, w: Float64Array): void {
  const cols = flooredColumns(state);
  if (cols.length === 0) return;
  const vars = columnVariances(gather(x, n, state.graph.vars.length, cols), n, cols.length, w);
  const V = state.graph.vars.length;
  cols.forEach((c, j) => {
    if (Number.isFinite(vars[j]!) && !(vars[j]! < TINY_VARIANCE && distinct(x, n, V, c))) return;
    if (Number.isFinite(vars[j]!)) {
      throw new PmixError(
        `column '${state.graph.vars[c]!.name}' is too small for a Normal leaf: its variance (${vars[j]!.toPrecision(3)}) is at the bottom of double precision, where squares lose their digits (values near ${firstValue(x, n, V, c).toPrecision(3)})`,
        'non-finite',
        'rescale the column (e.g. standardize it, or multiply it by a power of ten) before fitting',
      );
    }
    let big = 0;
    let row = 0;
    for (let i = 0; i < n; i++) if (Math.abs(x[i * state.graph.vars.length + c]!) > big) (big = Math.abs(x[i * state.graph.vars.length + c]!)), (row = i);
    throw new PmixError(
      `column '${state.graph.vars[c]!.name}' is too large for a Normal leaf: its variance overflows double precision (row ${row + 1} holds ${x[row * state.graph.vars.length + c]!.toPrecision(3)})`,
      'non-finite',
      'rescale the column (e.g. standardize it, or divide it by a power of ten) before fitting',
    );
  });
}
