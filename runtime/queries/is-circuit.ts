// Whether a mixture-family graph has circuit structure (dense sums or Kronecker products), so
// that its queries take the circuit passes, which hold on any smooth, decomposable DAG; plain
// mixtures (mixing nodes, Hadamard products of independent parts, leaves) keep the mixture
// paths (conditioning pass, local-ascent mode). Circuit and integral families always take the
// circuit passes (their registry entries say so).
import type { IRGraph } from '../../ir/types.js';

export function hasCircuitNodes(graph: IRGraph): boolean {
  return graph.nodes.some((n) => n.kind === 'sum' || (n.kind === 'product' && n.mode === 'kronecker'));
}
