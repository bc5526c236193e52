// A Chow-Liu tree written independently of the library, for the tests: empirical mutual
// information from integer counts (each pair over the rows where both are present), Kruskal's maximum spanning tree (edges by decreasing mutual
// information, equal ones in (i, j) order; the rule pmix documents), rooted at the first
// variable, Lidstone-smoothed conditional tables, and the tree's log-likelihood.

export interface RefTree {
  readonly parent: number[];
  /** cpt[j][b][a] = p(x_j = a | x_parent = b) (b = 0 for the root). */
  readonly cpt: number[][][];
}

/** rows: rows of level indices (NaN: missing); levels: per column. */
export function referenceChowLiu(rows: readonly (readonly number[])[], levels: readonly number[], alpha: number): RefTree {
  const D = levels.length;
  const count = (u: number, v: number): number[][] => {
    const c = Array.from({ length: levels[u]! }, () => new Array<number>(levels[v]!).fill(0));
    for (const r of rows) if (!Number.isNaN(r[u]!) && !Number.isNaN(r[v]!)) c[r[u]!]![r[v]!]! += 1;
    return c;
  };
  // MI = sum_ab n_ab / N log(n_ab N / (n_a n_b)): integer products, so an independent constant column gives log(1) = 0.
  const mi = (u: number, v: number): number => {
    const c = count(u, v);
    const na = c.map((row) => row.reduce((s, x) => s + x, 0));
    const nb = c[0]!.map((_, b) => c.reduce((s, row) => s + row[b]!, 0));
    const N = na.reduce((s, x) => s + x, 0);
    let m = 0;
    c.forEach((row, a) => row.forEach((nab, b) => {
      if (nab > 0) m += (nab / N) * Math.log((nab * N) / (na[a]! * nb[b]!));
    }));
    return m;
  };
  const edges: [number, number, number][] = [];
  for (let i = 0; i < D; i++) for (let j = i + 1; j < D; j++) edges.push([i, j, mi(i, j)]);
  edges.sort((e, f) => f[2] - e[2] || e[0] - f[0] || e[1] - f[1]);
  const comp = Array.from({ length: D }, (_, k) => k);
  const adj = Array.from({ length: D }, () => [] as number[]);
  for (const [i, j] of edges) {
    const ci = comp[i]!;
    const cj = comp[j]!;
    if (ci === cj) continue;
    for (let k = 0; k < D; k++) if (comp[k] === ci) comp[k] = cj;
    adj[i]!.push(j);
    adj[j]!.push(i);
  }
  const parent = new Array<number>(D).fill(-2);
  parent[0] = -1;
  const stack = [0];
  while (stack.length) {
    const v = stack.pop()!;
    for (const c of adj[v]!) if (parent[c] === -2) (parent[c] = v), stack.push(c);
  }
  const cpt = levels.map((L, j) => {
    const p = parent[j]!;
    const lp = p < 0 ? 1 : levels[p]!;
    return Array.from({ length: lp }, (_, b) => {
      const n = new Array<number>(L).fill(0);
      for (const r of rows) if (!Number.isNaN(r[j]!) && (p < 0 || r[p] === b)) n[r[j]!]! += 1;
      const total = n.reduce((s, x) => s + x, 0) + L * alpha;
      return n.map((x) => (x + alpha) / total);
    });
  });
  return { parent, cpt };
}

export function referenceLogLikelihood(t: RefTree, row: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < row.length; j++) s += Math.log(t.cpt[j]![t.parent[j]! < 0 ? 0 : row[t.parent[j]!]!]![row[j]!]!);
  return s;
}

/** Undirected edges "i-j" (i < j), sorted, for comparing trees. */
export function edgeSet(parent: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let j = 0; j < parent.length; j++) if (parent[j]! >= 0) out.push(`${Math.min(j, parent[j]!)}-${Math.max(j, parent[j]!)}`);
  return out.sort();
}
