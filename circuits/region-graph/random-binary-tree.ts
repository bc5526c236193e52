// RAT-SPN region graph (Peharz et al., UAI 2019 / 2020): `repeats` independent random balanced
// binary splits of the root, each recursed `depth` times or until single variables. Regions
// are not shared between repeats (only the root is).
import { Rng } from '../../stdlib/random.js';
import { RegionGraphBuilder, checkVars, type RegionGraph } from './types.js';

export interface RandomBinaryTreeOptions {
  /** Number of partition levels below the root (0: the root is a single leaf region). */
  readonly depth: number;
  /** Number of independent splits of the root. */
  readonly repeats: number;
  readonly seed: number;
}

export function randomBinaryTree(vars: readonly number[], opts: RandomBinaryTreeOptions): RegionGraph {
  checkVars(vars, 'randomBinaryTree');
  const { depth, repeats } = opts;
  if (!Number.isInteger(depth) || depth < 0) throw new Error(`randomBinaryTree: depth must be a non-negative integer, got ${depth}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`randomBinaryTree: repeats must be a positive integer, got ${repeats}`);
  const rng = new Rng(opts.seed);
  const b = new RegionGraphBuilder();
  // Post-order: children are added before their parent, so ids are topological.
  const split = (scope: number[], level: number): number[] => {
    shuffle(scope, rng);
    const half = Math.floor(scope.length / 2);
    return [scope.slice(0, half), scope.slice(half)].map((s) => build(s, level + 1));
  };
  const build = (scope: number[], level: number): number => {
    if (level === depth || scope.length === 1) return b.region(scope);
    return b.merge(split(scope, level));
  };
  const rootSplits: number[][] = [];
  if (depth > 0 && vars.length > 1) for (let r = 0; r < repeats; r++) rootSplits.push(split([...vars], 0));
  const root = b.region(vars);
  for (const children of rootSplits) b.partition(root, children);
  return b.build();
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
