// Collapsed Normal components: with reg_covar = 0 (or negligible against the data's scale) a
// component that owns a cluster of identical rows shrinks onto one point, its covariance
// becomes singular and its density infinite. EM re-initializes such a component (mean at a
// random row far from it, covariance from the data, mixing weight reset) a few times, then
// stops with an error naming it.
import type { InputNode } from '../../ir/types.js';
import type { Rng } from '../../stdlib/random.js';
import { PmixError } from '../errors.js';
import type { ModelState } from '../state.js';

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
    'raise reg_covar (e.g. reg_covar = 1e-6), lower k, or remove duplicated rows',
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
  const dataVars = new Map<string, Float64Array>();
  for (const node of state.nodes) {
    if (node.kind !== 'input' || !state.layers.get(node.id)!.family.degeneracy) continue;
    dataVars.set(node.id, columnVariances(xsByNode.get(node.id)!, n, node.scope.length, w));
  }
  let reinits = 0;
  return (it) => {
    let any = false;
    for (let c = findCollapse(state, dataVars); c; c = findCollapse(state, dataVars)) {
      const layer = state.layers.get(c.node.id)!;
      const frozen = Object.values(layer.names).some((nm) => state.param(nm).fixed);
      if (frozen || reinits >= MAX_REINITS || !reinitialize(state, c, xsByNode.get(c.node.id)!, n, w, dataVars.get(c.node.id)!, regCovar, rng)) throw collapseError(c, it, reinits);
      reinits++;
      any = true;
    }
    return any;
  };
}
