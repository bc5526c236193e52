// The conditional probability tables of a Chow-Liu tree: p(x_j = a | x_parent = b) from the
// weighted counts of the rows where both are present, smoothed by a pseudo-count alpha per
// cell (Laplace/Lidstone): (n_ba + alpha) / (n_b + L_j alpha). A parent value never seen
// (and alpha = 0) gets the uniform row.
import type { DiscreteData, RootedTree } from './structure.js';

/** tables[j][b * L_j + a] = p(x_j = a | x_parent = b); for the root, tables[root][a] = p(x_root = a). */
export function conditionalTables(d: DiscreteData, tree: RootedTree, alpha: number): Float64Array[] {
  const { x, n, levels, weights } = d;
  const D = levels.length;
  return levels.map((L, j) => {
    const p = tree.parent[j]!;
    const lp = p < 0 ? 1 : levels[p]!;
    const t = new Float64Array(lp * L);
    for (let i = 0; i < n; i++) {
      const a = x[i * D + j]!;
      const b = p < 0 ? 0 : x[i * D + p]!;
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      t[b * L + a] += weights ? weights[i]! : 1;
    }
    for (let b = 0; b < lp; b++) {
      let s = 0;
      for (let a = 0; a < L; a++) s += t[b * L + a]! + alpha;
      for (let a = 0; a < L; a++) t[b * L + a] = s > 0 ? (t[b * L + a]! + alpha) / s : 1 / L;
    }
    return t;
  });
}
