// What `pmix check` says about a squared model: the size of its circuits, and how Z is
// computed (the product circuits c * c, c_r * c_r or c+ * c * c with every variable
// integrated out, whose size sets the cost).
import type { IRGraph } from '../../ir/types.js';
import { productSize, termName, termRoots, tupleCircuit } from './product.js';

export interface SquaredReport {
  readonly nodes: number;
  readonly units: number;
  readonly productNodes: number;
  readonly productUnits: number;
  /** 'square' (c^2), 'sos' (sum_r c_r^2, with r terms) or 'times' (c+ c^2). */
  readonly form: 'square' | 'sos' | 'times';
  readonly terms: number;
}

export function describeSquared(graph: IRGraph): SquaredReport | undefined {
  const root = graph.nodes.find((n) => n.id === graph.root);
  if (root?.kind !== 'square') return undefined;
  const pcs = termRoots(root).map((r) => tupleCircuit(graph, r, termName(r)));
  const c = graph.nodes.filter((n) => n.kind !== 'square');
  return {
    nodes: c.length,
    units: c.reduce((s, n) => s + n.units, 0),
    productNodes: pcs.reduce((s, pc) => s + pc.nodes.length, 0),
    productUnits: pcs.reduce((s, pc) => s + productSize(pc), 0),
    form: root.monotone !== undefined ? 'times' : root.parts ? 'sos' : 'square',
    terms: pcs.length,
  };
}

export function squaredLine(model: string, r: SquaredReport): string {
  const [what, density, product] =
    r.form === 'times'
      ? ['a monotone circuit times a squared circuit', 'c+(x) c(x)^2 / Z', 'the triple product circuit c+ * c * c']
      : r.form === 'sos'
        ? [`a sum of ${r.terms} squared circuits`, 'sum_r c_r(x)^2 / Z', `the product circuits c_r * c_r (${r.terms})`]
        : ['squared circuit', 'c(x)^2 / Z', 'the product circuit c * c'];
  return `${model}: ${what} of ${r.nodes} nodes (${r.units} units), p(x) = ${density}; Z computed by integrating ${product} in closed form (${r.productNodes} nodes, ${r.productUnits} units: ${(r.productUnits / Math.max(1, r.units)).toFixed(1)}x the units of c), once per parameter update`;
}
