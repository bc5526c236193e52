// What `pmix check` says about a circuit: its size, how folding batches it, and which of the
// structural properties hold (with the first violation of each, located in the model text).
import type { IRGraph } from '../ir/types.js';
import { foldPlan } from './fold.js';
import { decomposable, deterministic, smooth, structuredDecomposable, type PropertyViolation } from './properties.js';

export interface CircuitReport {
  readonly nodes: number;
  readonly sumNodes: number;
  readonly sumFolds: number;
  readonly depth: number;
  readonly smooth: boolean;
  readonly decomposable: boolean;
  readonly structuredDecomposable: boolean;
  /** Proven deterministic (the check is sound but incomplete). */
  readonly deterministic: boolean;
  /** The first violation of each property that fails. */
  readonly violations: readonly (PropertyViolation & { readonly property: string })[];
}

export function describeCircuit(graph: IRGraph): CircuitReport {
  const plan = foldPlan(graph);
  const checks: [string, PropertyViolation[]][] = [
    ['smooth', smooth(graph)],
    ['decomposable', decomposable(graph)],
    ['structured-decomposable', structuredDecomposable(graph)],
    ['deterministic', deterministic(graph)],
  ];
  const violations = checks.filter(([, v]) => v.length > 0).map(([property, v]) => ({ property, ...v[0]! }));
  const holds = (p: string): boolean => !violations.some((v) => v.property === p);
  return {
    nodes: graph.nodes.length,
    sumNodes: plan.sumNodes,
    sumFolds: plan.sumFolds,
    depth: plan.levels.length,
    smooth: holds('smooth'),
    decomposable: holds('decomposable'),
    structuredDecomposable: holds('structured-decomposable'),
    deterministic: holds('deterministic'),
    violations,
  };
}

/** Plain-words lines for the terminal. */
export function reportLines(model: string, r: CircuitReport, file: string): string[] {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const lines = [
    `${model}: circuit of ${r.nodes} nodes, depth ${r.depth}; ${r.sumNodes} sum nodes folded into ${r.sumFolds} batched ops`,
    `${model}: smooth ${yes(r.smooth)}, decomposable ${yes(r.decomposable)}, structured-decomposable ${yes(r.structuredDecomposable)}, deterministic ${r.deterministic ? 'yes' : 'not proven (MAP queries are the max-product approximation)'}`,
  ];
  for (const v of r.violations) {
    if (v.property === 'deterministic') continue;
    const at = v.source ? `${file}:${v.source.line}:${v.source.column}: ` : '';
    lines.push(`${at}${v.property}: ${v.message}`);
  }
  return lines;
}
