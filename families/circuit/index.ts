// Tensorized probabilistic circuits over region graphs: EM (full-batch, mini-batch,
// streaming) or Adam; every query by the circuit passes (expectations, max-product MAP).
import { describeCircuit, reportLines } from '../../circuits/describe.js';
import type { ModelFamily } from '../../runtime/family.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { TRACTABLE_FORMS } from '../common/forms.js';
import { hasKind, rootKind, tractableHooks } from '../common/tractable.js';

export const circuitFamily: ModelFamily = {
  name: 'circuit',
  noun: 'a circuit',
  // A circuit whose sums were all simplified away keeps its family: sums are not required.
  recognizes: (g) => rootKind(g) !== 'square' && !hasKind(g, 'integral') && !hasKind(g, 'gp'),
  shape: 'no integral, square or GP nodes',
  methodProblem: () => undefined,
  streams: true,
  ...tractableHooks,
  forms: TRACTABLE_FORMS,
  answer: (state, q, ctx) => runQuery(state, q, ctx, { circuit: true }),
  describe: (graph, model, file) => {
    const report = describeCircuit(graph);
    return { lines: reportLines(model, report, file), key: 'circuits', json: report };
  },
};
