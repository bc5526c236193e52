// Which query algorithms a model gets: plain mixtures (mixing nodes, Hadamard products of
// independent parts, leaves) keep the mixture paths (conditioning pass, local-ascent mode);
// circuits (family 'circuit', a materialized integral circuit, or a mixture graph with dense
// sums or Kronecker products) get the circuit passes, which hold on any smooth, decomposable
// DAG. Other families (squared, gp) have their own query paths.
import type { IRGraph } from '../../ir/types.js';

export function isCircuit(graph: IRGraph): boolean {
  if (graph.family === 'circuit' || graph.family === 'integral') return true;
  return graph.family === 'mixture' && graph.nodes.some((n) => n.kind === 'sum' || (n.kind === 'product' && n.mode === 'kronecker'));
}
