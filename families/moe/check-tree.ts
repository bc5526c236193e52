// Tree gates in artifacts and in `pmix check`: the parameter shapes of every level and the words.
import { levelNodes, treeFan } from './gate-tree.js';
import { gateLevel } from './spec.js';

/** Deepest tree gate (each level multiplies the Newton fits per M-step). */
export const MAX_DEPTH = 8;

export function treeShapes(K: number, B: number, depth: number, D: number): Record<string, number[]> {
  const fan = treeFan(K, B, depth);
  const nodes = levelNodes(fan);
  // level 0 keeps the two-level gate's [B, D + 1]
  return Object.fromEntries(fan.map((f, l) => [gateLevel(l), l === 0 ? [f, D + 1] : [nodes[l]!, f, D + 1]]));
}

export function treeWords(o: Readonly<Record<string, unknown>>): string {
  const K = o.k as number;
  const B = o.branches as number;
  const depth = (o.depth as number | undefined) ?? 2;
  const fan = treeFan(K, B, depth);
  if (depth === 2) return `two-level tree gate (a softmax over ${B} branches, then over ${K / B} experts within each; linear in the inputs, ridge ${String(o.ridge)})`;
  return `${depth}-level tree gate (hierarchical mixture of experts: softmaxes over ${fan.join(' x ')} children per level, linear in the inputs, ridge ${String(o.ridge)})`;
}
