// Tensorized probabilistic circuits over region graphs: EM (full-batch, mini-batch,
// streaming) or Adam; every query by the circuit passes (expectations, max-product MAP).
import { describeCircuit, reportLines } from '../../circuits/describe.js';
import type { ModelFamily } from '../../runtime/family.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { tractableQueries } from '../common/forms.js';
import { hasKind, rootKind, tractableHooks } from '../common/tractable.js';
import { graphParams } from '../../runtime/graph-params-view.js';
import { registerCircuitDevice } from '../../runtime/webgpu/circuit/index.js';

// Full-batch EM of a circuit runs its E-steps on a WebGPU device where the compute backend has one.
registerCircuitDevice((g) => g.family === 'circuit');

export const circuitFamily: ModelFamily = {
  name: 'circuit',
  noun: 'a circuit',
  params: graphParams,
  // A circuit whose sums were all simplified away keeps its family: sums are not required.
  recognizes: (g) => rootKind(g) !== 'square' && !hasKind(g, 'integral') && !hasKind(g, 'gp') && !hasKind(g, 'family'),
  shape: 'no integral, square, GP or family nodes',
  defaultMethod: 'em',
  methodProblem: () => undefined,
  streams: true,
  ...tractableHooks,
  ...tractableQueries,
  answer: (state, q) => runQuery(state, q, { circuit: true }),
  describe: (graph, model, file) => {
    const report = describeCircuit(graph);
    return { lines: reportLines(model, report, file), key: 'circuits', json: report };
  },
};
