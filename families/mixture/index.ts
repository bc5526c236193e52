// Finite mixtures of any leaves, nested, with products of independent parts: fitted by EM
// (full-batch, mini-batch, streaming) or Adam; queries by the conditioning pass, or by the
// circuit passes when the graph has dense sums or Kronecker products.
import type { ModelFamily } from '../../runtime/family.js';
import { hasCircuitNodes } from '../../runtime/queries/is-circuit.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { hasKind, rootKind, tractableHooks } from '../common/tractable.js';
import { tractableQueries } from '../common/forms.js';

export const mixtureFamily: ModelFamily = {
  name: 'mixture',
  noun: 'a mixture',
  recognizes: (g) => rootKind(g) !== 'square' && !hasKind(g, 'sum') && !hasKind(g, 'integral') && !hasKind(g, 'gp') && !hasKind(g, 'family'),
  shape: 'mixing, product and input nodes only (no sums, integrals, squares, GP or family nodes)',
  methodProblem: () => undefined,
  streams: true,
  partialLabels: true,
  ...tractableHooks,
  ...tractableQueries,
  answer: (state, q) => runQuery(state, q, { circuit: hasCircuitNodes(state.graph) }),
};
