// Chow-Liu trees (Chow & Liu 1968): the maximum spanning tree of pairwise mutual information,
// and its region graph in the HCLT style (Liu & Van den Broeck, NeurIPS 2021): for a tree
// node v with children c1..ck, region(subtree v) has one partition into
// [{v}, region(subtree c1), ..., region(subtree ck)]; a tree leaf is just the region {v}.
import { mutualInformation, type MutualInfoOptions, type VarInfo } from './mutual-info.js';
import { RegionGraphBuilder, checkVars, type RegionGraph } from './types.js';

export type { VarInfo } from './mutual-info.js';

export interface ChowLiuOptions extends MutualInfoOptions {
  /** The root, as a variable index (VarInfo.index). Default: the tree's center (fewest hops to
   * the farthest node; ties to the first), which keeps the region graph shallow. */
  readonly root?: number;
}

export interface ChowLiuTree {
  /** parent[j]: the position (in vars) of column j's parent, -1 for the root. */
  readonly parent: Int32Array;
  /** Positions in breadth-first order from the root (parents before children). */
  readonly order: Int32Array;
  /** Position of the root. */
  readonly root: number;
  /** The d x d mutual-information matrix (row-major, by position). */
  readonly mi: Float64Array;
  /** Variable index of each position (vars[j].index). */
  readonly indices: readonly number[];
}

/** The Chow-Liu tree of data x (row-major n x vars.length; column j holds vars[j]). */
export function chowLiuTree(x: Float64Array, n: number, vars: readonly VarInfo[], opts: ChowLiuOptions = {}): ChowLiuTree {
  const indices = vars.map((v) => v.index);
  checkVars(indices, 'chowLiu');
  const mi = mutualInformation(x, n, vars, opts);
  const adj = maximumSpanningTree(mi, vars.length);
  let root: number;
  if (opts.root === undefined) root = treeCenter(adj);
  else {
    root = indices.indexOf(opts.root);
    if (root < 0) throw new Error(`chowLiu: root ${opts.root} is not one of the variables`);
  }
  const { parent, order } = orient(adj, root);
  return { parent, order, root, mi, indices };
}

/** The HCLT region graph of the Chow-Liu tree of x. */
export function chowLiu(x: Float64Array, n: number, vars: readonly VarInfo[], opts: ChowLiuOptions = {}): RegionGraph {
  const t = chowLiuTree(x, n, vars, opts);
  return treeRegionGraph(t.parent, t.indices);
}

/** HCLT region graph of any rooted tree given as a parent array (positions; -1 = root). */
export function treeRegionGraph(parent: ArrayLike<number>, indices: readonly number[]): RegionGraph {
  checkVars(indices, 'treeRegionGraph');
  const d = indices.length;
  if (parent.length !== d) throw new Error(`treeRegionGraph: ${parent.length} parents for ${d} variables`);
  const adj = Array.from({ length: d }, () => [] as number[]);
  let root = -1;
  for (let j = 0; j < d; j++) {
    const p = parent[j]!;
    if (p === -1) {
      if (root >= 0) throw new Error('treeRegionGraph: more than one root');
      root = j;
    } else if (Number.isInteger(p) && p >= 0 && p < d && p !== j) adj[p]!.push(j), adj[j]!.push(p);
    else throw new Error(`treeRegionGraph: parent of ${j} is ${p}`);
  }
  if (root < 0) throw new Error('treeRegionGraph: no root');
  const { order } = orient(adj, root);
  if (order.length !== d) throw new Error('treeRegionGraph: the parent array is not a tree (cycle or unreachable nodes)');
  const children = Array.from({ length: d }, () => [] as number[]);
  for (const j of order) if (parent[j] !== -1) children[parent[j]!]!.push(j);
  const b = new RegionGraphBuilder();
  const regionOf = new Int32Array(d);
  // Reverse breadth-first order: every subtree is built before its parent's.
  for (let k = d - 1; k >= 0; k--) {
    const v = order[k]!;
    const leaf = b.region([indices[v]!]);
    regionOf[v] = children[v]!.length ? b.merge([leaf, ...children[v]!.map((c) => regionOf[c]!)]) : leaf;
  }
  return b.build();
}

/** Prim's algorithm on a dense weight matrix; ties go to the lower index (deterministic). */
export function maximumSpanningTree(w: Float64Array, d: number): number[][] {
  const adj = Array.from({ length: d }, () => [] as number[]);
  if (d === 0) return adj;
  const inTree = new Uint8Array(d);
  const best = new Float64Array(d).fill(-Infinity);
  const from = new Int32Array(d).fill(-1);
  inTree[0] = 1;
  for (let j = 1; j < d; j++) (best[j] = w[j]!), (from[j] = 0);
  for (let step = 1; step < d; step++) {
    let pick = -1;
    for (let j = 0; j < d; j++) if (!inTree[j] && (pick < 0 || best[j]! > best[pick]!)) pick = j;
    inTree[pick] = 1;
    adj[pick]!.push(from[pick]!);
    adj[from[pick]!]!.push(pick);
    for (let j = 0; j < d; j++) if (!inTree[j] && w[pick * d + j]! > best[j]!) (best[j] = w[pick * d + j]!), (from[j] = pick);
  }
  return adj;
}

/** Parents and breadth-first order of a tree given by adjacency lists, from `root`. */
function orient(adj: readonly (readonly number[])[], root: number): { parent: Int32Array; order: Int32Array } {
  const d = adj.length;
  const parent = new Int32Array(d).fill(-2);
  const order: number[] = [root];
  parent[root] = -1;
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    for (const c of [...adj[v]!].sort((a, b) => a - b)) if (parent[c] === -2) (parent[c] = v), order.push(c);
  }
  return { parent, order: Int32Array.from(order) };
}

/** The node with the smallest eccentricity (hops to the farthest node). */
function treeCenter(adj: readonly (readonly number[])[]): number {
  let best = 0;
  let bestEcc = Infinity;
  for (let s = 0; s < adj.length; s++) {
    const dist = new Int32Array(adj.length).fill(-1);
    dist[s] = 0;
    const queue = [s];
    let ecc = 0;
    for (let k = 0; k < queue.length; k++) {
      const v = queue[k]!;
      ecc = Math.max(ecc, dist[v]!);
      for (const c of adj[v]!) if (dist[c] === -1) (dist[c] = dist[v]! + 1), queue.push(c);
    }
    if (ecc < bestEcc) (bestEcc = ecc), (best = s);
  }
  return best;
}
