// Structural checks and a summary of a region graph. validate() lists every problem (empty:
// well formed); the lowering to circuit layers may assume a graph that passes it.
import type { RegionGraph } from './types.js';

export function validate(rg: RegionGraph): string[] {
  const problems: string[] = [];
  const R = rg.regions.length;
  if (R === 0) return ['the graph has no regions'];
  rg.regions.forEach((r, i) => {
    if (r.id !== i) problems.push(`region at index ${i} has id ${r.id}`);
    if (r.scope.length === 0) problems.push(`region ${i} has an empty scope`);
    r.scope.forEach((v, k) => {
      if (!Number.isInteger(v) || v < 0) problems.push(`region ${i}: variable ${v} is not a non-negative integer`);
      if (k > 0 && !(r.scope[k - 1]! < v)) problems.push(`region ${i}: scope is not sorted and distinct at position ${k}`);
    });
  });
  if (rg.root !== R - 1) problems.push(`the root is region ${rg.root}, not the last region ${R - 1}`);

  const seen = new Set<string>();
  const children = Array.from({ length: R }, () => [] as number[]);
  rg.partitions.forEach((p, k) => {
    const where = `partition ${k} (of region ${p.parent})`;
    if (!(Number.isInteger(p.parent) && p.parent >= 0 && p.parent < R)) return void problems.push(`${where}: no such parent region`);
    if (p.children.length < 2) problems.push(`${where}: has ${p.children.length} child(ren); a partition needs at least 2`);
    const bad = p.children.filter((c) => !(Number.isInteger(c) && c >= 0 && c < R));
    if (bad.length) return void problems.push(`${where}: no such child region ${bad.join(', ')}`);
    for (const c of p.children) if (c >= p.parent) problems.push(`${where}: child ${c} does not come before its parent (topological order)`);
    const key = `${p.parent}:${[...p.children].sort((a, b) => a - b).join(',')}`;
    if (seen.has(key)) problems.push(`${where}: duplicates an earlier partition`);
    seen.add(key);
    const union: number[] = [];
    const vars = new Set<number>();
    for (const c of p.children) {
      for (const v of rg.regions[c]!.scope) {
        if (vars.has(v)) problems.push(`${where}: variable ${v} is in more than one child (not decomposable)`);
        vars.add(v);
        union.push(v);
      }
    }
    union.sort((a, b) => a - b);
    if (!sameList(union, rg.regions[p.parent]!.scope)) problems.push(`${where}: the children's scopes do not cover exactly the parent's scope`);
    children[p.parent]!.push(...p.children);
  });

  // Everything must hang from the root, and the root must cover every variable used.
  if (rg.root >= 0 && rg.root < R) {
    const reached = new Uint8Array(R);
    const stack = [rg.root];
    reached[rg.root] = 1;
    while (stack.length) {
      for (const c of children[stack.pop()!]!) if (!reached[c]) (reached[c] = 1), stack.push(c);
    }
    const dangling = rg.regions.filter((_, i) => !reached[i]).map((r) => r.id);
    if (dangling.length) problems.push(`region(s) ${dangling.slice(0, 10).join(', ')}${dangling.length > 10 ? ', ...' : ''} are not reachable from the root`);
    const rootVars = new Set(rg.regions[rg.root]!.scope);
    const outside = new Set<number>();
    for (const r of rg.regions) for (const v of r.scope) if (!rootVars.has(v)) outside.add(v);
    if (outside.size) problems.push(`the root does not cover variable(s) ${[...outside].slice(0, 10).join(', ')}`);
  }
  return problems;
}

/**
 * Why the graph is not structured-decomposable, or undefined when it is. Definition used:
 * all regions with the same scope are split the same way, i.e. scope -> split is a function,
 * where a split is the set of child scopes of a partition and "no partition" (an input
 * region) counts as a split of its own. Then the scopes form one vtree (a laminar family)
 * and any two circuits built on the graph with the same layers can be multiplied
 * layer by layer (needed for squaring and for products of circuits).
 */
export function whyNotStructuredDecomposable(rg: RegionGraph): string | undefined {
  const splitsOf = Array.from({ length: rg.regions.length }, () => new Set<string>());
  for (const p of rg.partitions) {
    const childScopes = p.children.map((c) => rg.regions[c]!.scope.join(',')).sort();
    splitsOf[p.parent]!.add(childScopes.join(' | '));
  }
  const byScope = new Map<string, { split: string; region: number }>();
  for (const r of rg.regions) {
    const splits = splitsOf[r.id]!;
    if (splits.size > 1) return `region ${r.id} (scope ${show(r.scope)}) is split in ${splits.size} different ways`;
    const split = splits.size ? [...splits][0]! : 'input';
    const key = r.scope.join(',');
    const other = byScope.get(key);
    if (other && other.split !== split) {
      return `regions ${other.region} and ${r.id} have the same scope ${show(r.scope)} but are split differently (${other.split === 'input' ? 'not at all' : `[${other.split}]`} vs ${split === 'input' ? 'not at all' : `[${split}]`})`;
    }
    if (!other) byScope.set(key, { split, region: r.id });
  }
  return undefined;
}

export function isStructuredDecomposable(rg: RegionGraph): boolean {
  return whyNotStructuredDecomposable(rg) === undefined;
}

export interface RegionGraphSummary {
  readonly regions: number;
  readonly partitions: number;
  /** Regions that are no partition's parent (input regions). */
  readonly leaves: number;
  /** Distinct variables (the root's scope). */
  readonly vars: number;
  /** Longest root-to-leaf path, counted in partitions (0 for a single region). */
  readonly depth: number;
  /** Most children of any partition. */
  readonly maxArity: number;
  /** Most partitions of any region. */
  readonly maxPartitions: number;
  /** Largest scope of a leaf region. */
  readonly maxLeafScope: number;
}

export function describe(rg: RegionGraph): RegionGraphSummary {
  const R = rg.regions.length;
  const parts = new Int32Array(R);
  const height = new Int32Array(R); // partitions from this region down to its deepest leaf
  let maxArity = 0;
  // Partitions are not sorted, but children precede parents: process parents in id order.
  const byParent = Array.from({ length: R }, () => [] as (readonly number[])[]);
  for (const p of rg.partitions) {
    parts[p.parent]!++;
    maxArity = Math.max(maxArity, p.children.length);
    byParent[p.parent]!.push(p.children);
  }
  for (let i = 0; i < R; i++) for (const ch of byParent[i]!) for (const c of ch) height[i] = Math.max(height[i]!, height[c]! + 1);
  let leaves = 0;
  let maxLeafScope = 0;
  for (let i = 0; i < R; i++) if (parts[i] === 0) leaves++, (maxLeafScope = Math.max(maxLeafScope, rg.regions[i]!.scope.length));
  return {
    regions: R,
    partitions: rg.partitions.length,
    leaves,
    vars: rg.regions[rg.root]?.scope.length ?? 0,
    depth: R ? height[rg.root]! : 0,
    maxArity,
    maxPartitions: parts.reduce((m, x) => Math.max(m, x), 0),
    maxLeafScope,
  };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function show(scope: readonly number[]): string {
  return scope.length <= 6 ? `{${scope.join(', ')}}` : `{${scope.slice(0, 5).join(', ')}, ... (${scope.length} vars)}`;
}
