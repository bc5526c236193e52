// Finite mixtures of any leaves, nested, with products of independent parts: fitted by EM
// (full-batch, mini-batch, streaming) or Adam; queries by the conditioning pass, or by the
// circuit passes when the graph has dense sums or Kronecker products. A family's part (a KDE
// component: a `family` node below the root, families/common/parts.ts) is fitted by full-batch
// EM only and answered by the circuit passes through its family's hooks.
import type { ModelFamily } from '../../runtime/family.js';
import { hasCircuitNodes } from '../../runtime/queries/is-circuit.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { incrementalShape } from '../../runtime/learners/incremental-gmm/index.js';
import { hasKind, rootKind, tractableHooks } from '../common/tractable.js';
import { tractableQueries } from '../common/forms.js';
import { checkParts, hasParts, partsMethodProblem, partsQuery, PARTS_FORMS, partsRefusals } from '../common/parts.js';
import { mixtureParams } from '../../runtime/params-view.js';
import { graphParams } from '../../runtime/graph-params-view.js';

export const mixtureFamily: ModelFamily = {
  name: 'mixture',
  noun: 'a mixture',
  recognizes: (g) => rootKind(g) !== 'square' && rootKind(g) !== 'family' && !hasKind(g, 'sum') && !hasKind(g, 'integral') && !hasKind(g, 'gp'),
  shape: 'mixing, product and input nodes only (with family parts, such as a KDE component, below the root; no sums, integrals, squares or GP nodes)',
  defaultMethod: 'em',
  methodProblem: (graph, settings, names) => {
    if (hasParts(graph)) return partsMethodProblem(graph, settings, names);
    // The incremental mixture fits one shape only (mixture of Normal(full|diag)): refused before the fit, naming the leaf.
    if (settings.method !== 'incremental') return undefined;
    const shape = incrementalShape(graph);
    return typeof shape === 'string' ? { message: `${names.model}: ${shape}`, hint: `fit ${names.model} on ${names.data} by em` } : undefined;
  },
  streams: true,
  partialLabels: true,
  ...tractableHooks,
  ...tractableQueries,
  formsOf: (g) => (hasParts(g) ? PARTS_FORMS.filter((f) => tractableQueries.formsOf(g).includes(f)) : tractableQueries.formsOf(g)),
  refusals: (g) => ({ ...tractableQueries.refusals(g), ...(hasParts(g) ? partsRefusals(g) : {}) }),
  answer: (state, q) => (hasParts(state.graph) ? partsQuery(state, q) : runQuery(state, q, { circuit: hasCircuitNodes(state.graph) })),
  checkGraph: checkParts,
  // Nested mixtures and mixtures over parts (kde(...), gp(...)) get the generic node view.
  params: (state) => (hasParts(state.graph) ? undefined : mixtureParams(state)) ?? graphParams(state),
};
