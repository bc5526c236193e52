// Log densities of rows for the family (pmix score, the API's logProb, the fit summary): the
// exact direct sum, or the kd-tree within the model's atol/rtol when training points x complete
// query rows exceed `tree_above` (default 1e8) and the KDE has a tree (radial kernel or gaussian,
// real columns only). Rows with missing cells always take the direct sum (it marginalizes them).
import type { ModelState } from '../../runtime/state.js';
import { logDensity } from './direct.js';
import { kdeNode, kdeOf } from './fitted-graph.js';
import { TREE_ABOVE } from './lower.js';
import type { Kde } from './model.js';
import { buildTree, treeLogDensity, type KdTree } from './tree.js';

const trees = new WeakMap<Kde, KdTree>();

export interface RowsPath {
  readonly path: 'direct' | 'tree';
  readonly atol: number;
  readonly rtol: number;
}

/** Which evaluation `rows` complete query rows get (exposed for tests and `pmix check`). */
export function rowsPath(kde: Kde, options: Readonly<Record<string, unknown>>, rows: number): RowsPath {
  const atol = typeof options.atol === 'number' ? options.atol : 0;
  const rtol = typeof options.rtol === 'number' ? options.rtol : 1e-8;
  const above = typeof options.tree_above === 'number' ? options.tree_above : TREE_ABOVE;
  const treeable = kde.cat.length === 0 && !(kde.form === 'product' && kde.kernel !== 'gaussian') && kde.real.length > 0;
  return { path: treeable && kde.n * rows > above ? 'tree' : 'direct', atol, rtol };
}

/** log p of each row (rows x d, NaN cells marginalized). */
export function kdeLogDensityRows(state: ModelState, x: Float64Array, rows: number): Float64Array {
  const kde = kdeOf(state);
  const d = kde.d;
  const complete: number[] = [];
  for (let i = 0; i < rows; i++) {
    let ok = true;
    for (let j = 0; j < d && ok; j++) ok = !Number.isNaN(x[i * d + j]!);
    if (ok) complete.push(i);
  }
  const plan = rowsPath(kde, kdeNode(state.graph).options, complete.length);
  if (plan.path === 'direct') return logDensity(kde, x.subarray(0, rows * d));
  let tree = trees.get(kde);
  if (!tree) trees.set(kde, (tree = buildTree(kde)));
  const out = new Float64Array(rows);
  const q = new Float64Array(complete.length * d);
  complete.forEach((i, r) => q.set(x.subarray(i * d, i * d + d), r * d));
  const lp = treeLogDensity(tree, q, { atol: plan.atol, rtol: plan.rtol });
  complete.forEach((i, r) => (out[i] = lp[r]!));
  if (complete.length < rows) {
    const seen = new Uint8Array(rows);
    for (const i of complete) seen[i] = 1;
    const rest = [...Array(rows).keys()].filter((i) => !seen[i]);
    const qr = new Float64Array(rest.length * d);
    rest.forEach((i, r) => qr.set(x.subarray(i * d, i * d + d), r * d));
    const lr = logDensity(kde, qr);
    rest.forEach((i, r) => (out[i] = lr[r]!));
  }
  return out;
}
