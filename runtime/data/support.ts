// The data check before a fit: every observed cell must lie where its leaf distribution can
// have a density (Poisson: counts; LogNormal: values > 0). A cell outside is named by row,
// column, value and leaf, instead of surfacing as "row 8 has zero density" during EM.
import type { IRGraph } from '../../ir/types.js';
import { getDistribution, type Support } from '../../stdlib/distributions/index.js';

export interface OutsideSupport {
  /** 0-based data row. */
  readonly row: number;
  readonly column: string;
  readonly value: number;
  /** The leaf's distribution, e.g. 'Poisson', and its support in words. */
  readonly dist: string;
  readonly support: string;
}

/** The first observed cell (by row, then column) outside the support of a leaf over it, if any. x: n rows x graph.vars. */
export function firstOutsideSupport(graph: IRGraph, x: Float64Array, n: number): OutsideSupport | undefined {
  const D = graph.vars.length;
  // For each variable, the leaf families over it that restrict their support.
  const checks = new Map<number, { dist: string; support: Support }[]>();
  for (const node of graph.nodes) {
    if (node.kind !== 'input') continue;
    const support = getDistribution(node.dist)?.support;
    if (!support) continue;
    for (const v of node.scope) {
      const list = checks.get(v) ?? [];
      if (!list.some((c) => c.dist === node.dist)) list.push({ dist: node.dist, support });
      checks.set(v, list);
    }
  }
  if (checks.size === 0) return undefined;
  const vars = [...checks.keys()].sort((a, b) => a - b);
  for (let r = 0; r < n; r++) {
    for (const v of vars) {
      const value = x[r * D + v]!;
      if (Number.isNaN(value)) continue; // missing: marginalized
      for (const c of checks.get(v)!) {
        if (!c.support.contains(value)) return { row: r, column: graph.vars[v]!.name, value, dist: c.dist, support: c.support.text };
      }
    }
  }
  return undefined;
}

/** The message for a cell outside its leaf's support. */
export function outsideSupportMessage(o: OutsideSupport, data: string, model: string): string {
  return `data set '${data}': row ${o.row + 1}, column '${o.column}': ${o.value} is outside the support of ${o.dist} in model ${model} (${o.dist} gives a density to ${o.support} only)`;
}
