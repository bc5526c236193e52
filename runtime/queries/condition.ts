// Conditions a model on evidence and keeps only some variables: the runtime evaluates the
// evidence (a forward pass), the pure compiler pass rewrites the graph.
import { conditionGraph } from '../../compiler/passes/condition.js';
import { forward } from '../evaluate.js';
import { ModelState } from '../state.js';

/**
 * evidence: a row over all variables (NaN = unobserved); keep: indices of the variables the
 * result covers (unobserved ones). Returns the conditional model and log p(e).
 */
export function conditionModel(state: ModelState, evidence: Float64Array, keep: readonly number[]): { model: ModelState; logEvidence: number } {
  const vals = forward(state, evidence, 1);
  const graph = conditionGraph(state.toGraph(), evidence, keep, vals);
  return { model: new ModelState(graph), logEvidence: vals.get(state.graph.root)![0]! };
}
