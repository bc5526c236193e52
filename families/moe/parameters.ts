// Free parameters of a mixture of experts (BIC/AIC): the gate's (softmax: K - 1 rows of D + 1;
// Gaussian: K - 1 weights, K means and K symmetric covariances) and the experts' (coefficients
// and noise: P variances, or P (P + 1) / 2 covariance entries, each; a GP expert's free
// hyperparameters).
import type { ModelState } from '../../runtime/state.js';
import { specOf } from './spec.js';
import { levelNodes, treeFan } from './gate-tree.js';

/** Free rows of a tree gate: each node's children less its reference. */
const treeGateFree = (K: number, B: number, depth: number): number => {
  const fan = treeFan(K, B, depth);
  const nodes = levelNodes(fan);
  return fan.reduce((a, f, l) => a + nodes[l]! * (f - 1), 0);
};

export function moeFreeParameters(state: ModelState): number {
  const { K, D, P, gate, noise, expert: kind } = specOf(state.graph);
  const { branches: B, levels } = specOf(state.graph);
  const gateCount = gate === 'softmax' ? (K - 1) * (D + 1) : gate === 'tree' ? treeGateFree(K, B, specOf(state.graph).depth) * (D + 1) : K - 1 + K * D + (K * D * (D + 1)) / 2;
  // GP experts: each expert's free hyperparameters (kernel, mean, noise)
  const gpFree = Object.values(state.graph.params).filter((p) => p.name.startsWith('e0.') && !p.fixed).reduce((a, p) => a + p.value.length, 0);
  const { links } = specOf(state.graph);
  const leafFree = (links ?? []).reduce((a, l) => a + (l === 'const' ? 1 : D + 1), 0);
  const expert = kind === 'leaf' ? leafFree : kind === 'gp' ? gpFree : kind === 'poisson' || kind === 'bernoulli' ? D + 1 : kind === 'multinomial' ? (levels - 1) * (D + 1) : P * (D + 1) + (noise === 'diag' ? P : (P * (P + 1)) / 2);
  return gateCount + K * expert;
}
