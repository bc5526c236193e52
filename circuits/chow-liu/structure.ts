// The classic Chow-Liu structure (Chow & Liu 1968) over discrete columns: the maximum spanning
// tree of the empirical pairwise mutual information. Rows missing either variable of a pair are
// left out of that pair's counts (pairwise-complete); row weights scale the counts.
// Deterministic on ties: edges are taken by decreasing mutual information, equal ones in the
// order (i, j) of the variables (Kruskal), and the tree is rooted at the first variable.

export interface DiscreteData {
  /** Row-major n x levels.length; column j holds level indices 0..levels[j]-1 or NaN (missing). */
  readonly x: Float64Array;
  readonly n: number;
  readonly levels: readonly number[];
  /** Per-row weights (default 1). */
  readonly weights?: Float64Array;
}

export interface RootedTree {
  /** parent[j]: the parent column of column j, -1 for the root. */
  readonly parent: Int32Array;
  /** Columns in breadth-first order from the root (parents before children). */
  readonly order: Int32Array;
}

/**
 * Empirical mutual information of columns u and v in nats. Written as
 * sum n_ab / N ((log n_ab - log n_a) + (log N - log n_b)) so that a constant column gives
 * exactly 0 (the two brackets cancel exactly), which keeps ties between such pairs exact.
 */
export function empiricalMI(d: DiscreteData, u: number, v: number): number {
  const { x, n, levels, weights } = d;
  const D = levels.length;
  const lu = levels[u]!;
  const lv = levels[v]!;
  const c = new Float64Array(lu * lv);
  for (let i = 0; i < n; i++) {
    const a = x[i * D + u]!;
    const b = x[i * D + v]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    c[a * lv + b] += weights ? weights[i]! : 1;
  }
  const ra = new Float64Array(lu);
  const rb = new Float64Array(lv);
  let N = 0;
  for (let a = 0; a < lu; a++) for (let b = 0; b < lv; b++) (ra[a] += c[a * lv + b]!), (rb[b] += c[a * lv + b]!), (N += c[a * lv + b]!);
  if (!(N > 0)) return 0;
  const logN = Math.log(N);
  let mi = 0;
  for (let a = 0; a < lu; a++) {
    for (let b = 0; b < lv; b++) {
      const nab = c[a * lv + b]!;
      if (nab > 0) mi += (nab / N) * (Math.log(nab) - Math.log(ra[a]!) + (logN - Math.log(rb[b]!)));
    }
  }
  return mi;
}

/** The Chow-Liu tree of the columns: Kruskal on the mutual information, rooted at column 0. */
export function chowLiuStructure(d: DiscreteData): RootedTree {
  const D = d.levels.length;
  const edges: { i: number; j: number; w: number }[] = [];
  for (let i = 0; i < D; i++) for (let j = i + 1; j < D; j++) edges.push({ i, j, w: empiricalMI(d, i, j) });
  // A stable sort keeps equal weights in (i, j) order.
  edges.sort((a, b) => b.w - a.w);
  const up = Int32Array.from({ length: D }, (_, k) => k);
  const find = (k: number): number => {
    while (up[k] !== k) k = up[k] = up[up[k]!]!;
    return k;
  };
  const adj = Array.from({ length: D }, () => [] as number[]);
  for (const e of edges) {
    const a = find(e.i);
    const b = find(e.j);
    if (a === b) continue;
    up[a] = b;
    adj[e.i]!.push(e.j);
    adj[e.j]!.push(e.i);
  }
  return rootAt(adj, 0);
}

/** A chain 0 - 1 - ... - (D-1): the stand-in structure when no data is at hand. */
export function chainStructure(D: number): RootedTree {
  return { parent: Int32Array.from({ length: D }, (_, j) => j - 1), order: Int32Array.from({ length: D }, (_, j) => j) };
}

function rootAt(adj: readonly (readonly number[])[], root: number): RootedTree {
  const D = adj.length;
  const parent = new Int32Array(D).fill(-2);
  if (D === 0) return { parent, order: new Int32Array(0) };
  parent[root] = -1;
  const order = [root];
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    for (const c of [...adj[v]!].sort((a, b) => a - b)) if (parent[c] === -2) (parent[c] = v), order.push(c);
  }
  return { parent, order: Int32Array.from(order) };
}
