// Region graphs: the scaffold a tensorized circuit is built on. A region is a set of
// variables; a partition splits a region into disjoint child regions. Every builder in this
// folder returns the same plain, serializable shape, so lowering to IR layers is one pass.

export interface Region {
  readonly id: number;
  /** Sorted, distinct variable indices. */
  readonly scope: readonly number[];
}

export interface Partition {
  /** Region id of the parent. */
  readonly parent: number;
  /** Region ids; their scopes are disjoint and their union is the parent's scope. */
  readonly children: readonly number[];
}

/**
 * Regions are in topological order: every region appears after all regions that are children
 * of its partitions; the root is last; region.id === its index. Leaf regions are those that are
 * no partition's parent (they become input layers).
 */
export interface RegionGraph {
  readonly regions: readonly Region[];
  readonly partitions: readonly Partition[];
  readonly root: number;
}

/** Accumulates regions and partitions in creation order (children must be added first). */
export class RegionGraphBuilder {
  readonly regions: Region[] = [];
  readonly partitions: Partition[] = [];

  /** A new region over `scope` (any order; stored sorted). Returns its id. */
  region(scope: Iterable<number>): number {
    const id = this.regions.length;
    this.regions.push({ id, scope: [...scope].sort((a, b) => a - b) });
    return id;
  }

  /** A new region over the union of the children's scopes, with one partition into them. */
  merge(children: readonly number[]): number {
    const scope: number[] = [];
    for (const c of children) scope.push(...this.regions[c]!.scope);
    const id = this.region(scope);
    this.partitions.push({ parent: id, children: [...children] });
    return id;
  }

  partition(parent: number, children: readonly number[]): void {
    this.partitions.push({ parent, children: [...children] });
  }

  /** The finished graph; the last region added is the root. */
  build(): RegionGraph {
    if (this.regions.length === 0) throw new Error('a region graph needs at least one region');
    return { regions: this.regions, partitions: this.partitions, root: this.regions.length - 1 };
  }
}

/** Throws unless `vars` is a non-empty list of distinct non-negative integers. */
export function checkVars(vars: readonly number[], who: string): void {
  if (vars.length === 0) throw new Error(`${who}: needs at least one variable`);
  const seen = new Set<number>();
  for (const v of vars) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${who}: variable indices must be non-negative integers, got ${v}`);
    if (seen.has(v)) throw new Error(`${who}: variable ${v} appears twice`);
    seen.add(v);
  }
}

export function checkImage(height: number, width: number, who: string): void {
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: ${name} must be a positive integer, got ${v}`);
  }
}
