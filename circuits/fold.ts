// Folding: the circuit's nodes grouped by depth, and within a depth the dense sum nodes of
// the same shape (units, inputs) into folds, so that the runtime evaluates each fold as one
// batched op (cirkit folds layers the same way). Depth = 1 + the deepest child; nodes of one
// depth never feed each other, so any order within a depth is a valid evaluation order.
import type { IRGraph, IRNode } from '../ir/types.js';

export interface SumFold {
  /** Sum node ids, all with `units` outputs over `inputs` concatenated child units. */
  readonly nodes: readonly string[];
  readonly units: number;
  readonly inputs: number;
}

export interface FoldLevel {
  /** Nodes evaluated one by one (inputs, products, mixing, unfoldable sums). */
  readonly singles: readonly string[];
  readonly sums: readonly SumFold[];
}

export interface FoldPlan {
  readonly levels: readonly FoldLevel[];
  /** Number of sum ops before and after folding (what the bench reports). */
  readonly sumNodes: number;
  readonly sumFolds: number;
}

export function foldPlan(graph: IRGraph): FoldPlan {
  const byId = new Map<string, IRNode>(graph.nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const unitsOf = (id: string): number => byId.get(id)!.units;
  for (const node of graph.nodes) {
    const kids = 'children' in node ? node.children : 'child' in node ? [node.child] : [];
    depth.set(node.id, kids.length ? 1 + Math.max(...kids.map((c) => depth.get(c) ?? 0)) : 0);
  }
  const levels: { singles: string[]; sums: Map<string, string[]> }[] = [];
  let sumNodes = 0;
  for (const node of graph.nodes) {
    const d = depth.get(node.id)!;
    while (levels.length <= d) levels.push({ singles: [], sums: new Map() });
    const level = levels[d]!;
    if (node.kind === 'sum') {
      sumNodes++;
      const inputs = node.children.reduce((s, c) => s + unitsOf(c), 0);
      const key = `${node.units}x${inputs}`;
      level.sums.set(key, [...(level.sums.get(key) ?? []), node.id]);
    } else level.singles.push(node.id);
  }
  let sumFolds = 0;
  const out: FoldLevel[] = levels.map((l) => {
    const sums = [...l.sums.entries()].map(([key, nodes]) => {
      const [units, inputs] = key.split('x').map(Number) as [number, number];
      return { nodes, units, inputs };
    });
    sumFolds += sums.length;
    return { singles: l.singles, sums };
  });
  return { levels: out, sumNodes, sumFolds };
}
