// The fast path: a kd-tree over the whitened training rows with scikit-learn's KernelDensity
// tolerances. Each node keeps its bounding box and total weight; for a query, the box's
// min/max distance bound the node's kernel sum between W K(d_max) and W K(d_min). A node is
// pruned (counted as the midpoint of its bounds) when its bound gap is within its share of
// the tolerance, W (atol' + rtol lo), or when the gap summed over all open nodes is within
// atol' + rtol (lower bound of the total); leaves are summed exactly.
//
// Error bound (stated and tested): for each query, |p_tree - p| <= (atol + rtol p) / 2, p the
// exact density (atol in density units, as scikit-learn's KernelDensity(atol, rtol)).
//
// The sums run in linear space relative to K(0) = 1. Two cases go to the exact log-space
// direct sum instead: a query whose kernel sum underflows (far from every point, or no point
// in a compact kernel's reach), and one where the running bounds have lost too many digits
// to cancellation for the stopping test to be trusted.
import { PmixError } from '../../runtime/errors.js';
import { checkQueries, logDensity } from './direct.js';
import { kernelValue, type KernelName } from './kernels.js';
import type { Kde } from './model.js';
import { planFor, whitenQuery, type Plan } from './plan.js';

export interface TreeOptions {
  /** absolute tolerance on the density (default 0) */
  readonly atol?: number;
  /** relative tolerance (default 1e-8, scikit-learn's tree default) */
  readonly rtol?: number;
  /** leaf size (default 40, scikit-learn's) */
  readonly leafSize?: number;
}

export interface KdTree {
  readonly kde: Kde;
  readonly plan: Plan;
  readonly k: number;
  readonly nNodes: number;
  /** training rows in tree order: whitened coordinates and weights */
  readonly pts: Float64Array;
  readonly wts: Float64Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly nodeW: Float64Array;
}

/** Builds the kd-tree (radial kernels, real columns only). */
export function buildTree(kde: Kde, leafSize = 40): KdTree {
  if (kde.cat.length > 0) throw new PmixError('kde: the tree fast path takes real columns only (use the direct sum with categorical columns)', 'kde');
  if (kde.form === 'product' && kde.kernel !== 'gaussian') throw new PmixError(`kde: the tree fast path takes radial kernels; a product '${kde.kernel}' kernel uses the direct sum`, 'kde');
  if (!(Number.isInteger(leafSize) && leafSize >= 1)) throw new PmixError(`kde: leafSize must be an integer >= 1, got ${leafSize}`, 'kde');
  const plan = planFor(kde, '1'.repeat(kde.d));
  const { n } = kde;
  const k = plan.k;
  const levels = 1 + Math.max(0, Math.floor(Math.log2(Math.max(1, n - 1) / leafSize)));
  const nNodes = 2 ** levels - 1;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const start = new Int32Array(nNodes);
  const end = new Int32Array(nNodes);
  const Z = plan.Z;
  const split = (node: number, s: number, e: number): void => {
    start[node] = s;
    end[node] = e;
    if (2 * node + 1 >= nNodes) return;
    // the dimension of largest spread, split at the median (quickselect)
    let best = 0;
    let spread = -1;
    for (let a = 0; a < k; a++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let i = s; i < e; i++) {
        const v = Z[idx[i]! * k + a]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      if (mx - mn > spread) [spread, best] = [mx - mn, a];
    }
    const mid = s + ((e - s) >> 1);
    select(idx, Z, k, best, s, e - 1, mid);
    split(2 * node + 1, s, mid);
    split(2 * node + 2, mid, e);
  };
  split(0, 0, n);
  const pts = new Float64Array(n * k);
  const wts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) pts[i * k + a] = Z[idx[i]! * k + a]!;
    wts[i] = kde.w ? kde.w[idx[i]!]! : 1 / n;
  }
  const lo = new Float64Array(nNodes * k).fill(Infinity);
  const hi = new Float64Array(nNodes * k).fill(-Infinity);
  const nodeW = new Float64Array(nNodes);
  for (let node = 0; node < nNodes; node++) {
    for (let i = start[node]!; i < end[node]!; i++) {
      nodeW[node]! += wts[i]!;
      for (let a = 0; a < k; a++) {
        const v = pts[i * k + a]!;
        if (v < lo[node * k + a]!) lo[node * k + a] = v;
        if (v > hi[node * k + a]!) hi[node * k + a] = v;
      }
    }
  }
  return { kde, plan, k, nNodes, pts, wts, start, end, lo, hi, nodeW };
}

function select(idx: Int32Array, Z: Float64Array, k: number, a: number, left: number, right: number, nth: number): void {
  while (right > left) {
    const pivot = Z[idx[(left + right) >> 1]! * k + a]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (Z[idx[i]! * k + a]! < pivot) i++;
      while (Z[idx[j]! * k + a]! > pivot) j--;
      if (i <= j) {
        const t = idx[i]!;
        idx[i] = idx[j]!;
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (nth <= j) right = j;
    else if (nth >= i) left = i;
    else return;
  }
}

const EPS = 2.220446049250313e-16;

/** log p(q_i) within the tolerance: |p_tree - p| <= (atol + rtol p) / 2 for every row. */
export function treeLogDensity(tree: KdTree, q: Float64Array, opts: TreeOptions = {}): Float64Array {
  const atol = opts.atol ?? 0;
  const rtol = opts.rtol ?? 1e-8;
  if (!(atol >= 0 && Number.isFinite(atol))) throw new PmixError(`kde: atol must be a finite number >= 0, got ${atol}`, 'kde');
  if (!(rtol >= 0 && Number.isFinite(rtol))) throw new PmixError(`kde: rtol must be a finite number >= 0, got ${rtol}`, 'kde');
  const { kde, plan, k } = tree;
  const d = kde.d;
  const m = checkQueries(kde, q);
  const out = new Float64Array(m);
  const zq = new Float64Array(k);
  const atolS = atol * Math.exp(-plan.logNorm); // atol on the kernel sum S, p = S exp(logNorm)
  const search = new Search(tree, kde.kernel, atolS, rtol);
  const redo: number[] = [];
  for (let i = 0; i < m; i++) {
    let missing = false;
    for (let j = 0; j < d; j++) if (Number.isNaN(q[i * d + j]!)) missing = true;
    if (missing) {
      redo.push(i);
      continue;
    }
    whitenQuery(plan, q, i * d, zq);
    const s = search.run(zq);
    if (s > 1e-290 && !search.untrusted) out[i] = Math.log(s) + plan.logNorm;
    else redo.push(i);
  }
  // rows with missing cells, underflowing sums or untrusted bounds: the exact direct sum
  if (redo.length) {
    const sub = new Float64Array(redo.length * d);
    redo.forEach((r, j) => sub.set(q.subarray(r * d, r * d + d), j * d));
    const exact = logDensity(kde, sub);
    redo.forEach((r, j) => (out[r] = exact[j]!));
  }
  return out;
}

/** One query's depth-first search; state in fields to keep the recursion cheap. */
class Search {
  private gLo = 0;
  private gSp = 0;
  private acc = 0;
  private moved = 0;
  private globalStop = false;
  untrusted = false;
  private zq: Float64Array = new Float64Array(0);

  constructor(
    private readonly t: KdTree,
    private readonly kernel: KernelName,
    private readonly atolS: number,
    private readonly rtol: number,
  ) {}

  run(zq: Float64Array): number {
    this.zq = zq;
    const [lo, sp] = this.bounds(0);
    this.gLo = lo;
    this.gSp = sp;
    this.acc = 0;
    this.moved = lo + sp;
    this.globalStop = false;
    this.visit(0, lo, sp);
    // the stopping test compared sums that drifted by ~ eps * (all that was added and taken away)
    this.untrusted = this.globalStop && 64 * EPS * this.moved > 0.5 * (this.atolS + this.rtol * this.acc);
    return this.acc;
  }

  /** [W K(d_max), W (K(d_min) - K(d_max))] for a node. */
  private bounds(node: number): [number, number] {
    const { k, lo, hi, nodeW } = this.t;
    const zq = this.zq;
    let mn = 0;
    let mx = 0;
    for (let a = 0; a < k; a++) {
      const l = lo[node * k + a]!;
      const h = hi[node * k + a]!;
      const v = zq[a]!;
      const below = l - v;
      const above = v - h;
      const g = below > 0 ? below : above > 0 ? above : 0;
      mn += g * g;
      const far = Math.max(v - l, h - v);
      mx += far * far;
    }
    const W = nodeW[node]!;
    const kLo = this.kernel === 'gaussian' ? Math.exp(-0.5 * mx) : kernelValue(this.kernel, Math.sqrt(mx));
    const kHi = this.kernel === 'gaussian' ? Math.exp(-0.5 * mn) : kernelValue(this.kernel, Math.sqrt(mn));
    return [W * kLo, W * (kHi - kLo)];
  }

  private visit(node: number, lo: number, sp: number): void {
    const t = this.t;
    if (sp <= t.nodeW[node]! * (this.atolS + this.rtol * lo) || sp === 0) {
      this.acc += lo + 0.5 * sp;
      return;
    }
    if (this.gSp <= this.atolS + this.rtol * this.gLo) {
      this.globalStop = true;
      this.acc += lo + 0.5 * sp;
      return;
    }
    const c1 = 2 * node + 1;
    if (c1 >= t.nNodes) {
      const { k, pts, wts } = t;
      const zq = this.zq;
      let s = 0;
      const gaussian = this.kernel === 'gaussian';
      for (let i = t.start[node]!; i < t.end[node]!; i++) {
        let r2 = 0;
        for (let a = 0; a < k; a++) {
          const e = zq[a]! - pts[i * k + a]!;
          r2 += e * e;
        }
        s += wts[i]! * (gaussian ? Math.exp(-0.5 * r2) : kernelValue(this.kernel, Math.sqrt(r2)));
      }
      this.acc += s;
      this.gLo += s - lo;
      this.gSp -= sp;
      this.moved += s + lo + sp;
      return;
    }
    const [lo1, sp1] = this.bounds(c1);
    const [lo2, sp2] = this.bounds(c1 + 1);
    this.gLo += lo1 + lo2 - lo;
    this.gSp += sp1 + sp2 - sp;
    this.moved += lo1 + lo2 + lo + sp1 + sp2 + sp;
    // the child with the larger upper bound first: its exact sum tightens the global test sooner
    if (lo1 + sp1 >= lo2 + sp2) {
      this.visit(c1, lo1, sp1);
      this.visit(c1 + 1, lo2, sp2);
    } else {
      this.visit(c1 + 1, lo2, sp2);
      this.visit(c1, lo1, sp1);
    }
  }
}
