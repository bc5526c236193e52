// Probabilistic integral circuits: continuous latents whose functions are nets or closed
// forms, materialized by quadrature (or solved analytically) into a circuit; fitted by Adam
// through the materialized circuit; queries by the circuit passes at the evaluation points.
import { describeIntegral, integralLines } from '../../circuits/integral/describe.js';
import { materializeIntegrals } from '../../compiler/passes/quadrature.js';
import type { ModelFamily } from '../../runtime/family.js';
import { runQuery } from '../../runtime/queries/run-query.js';
import { tractableQueries } from '../common/forms.js';
import { adamOnly, hasKind, rootKind, tractableHooks } from '../common/tractable.js';
import { graphParams } from '../../runtime/graph-params-view.js';
import { registerNetsDevice } from '../../runtime/webgpu/nets/index.js';

// Adam evaluates the nets on the WebGPU device where one is enabled (runtime/webgpu/nets).
registerNetsDevice();

export const integralFamily: ModelFamily = {
  name: 'integral',
  noun: 'an integral circuit',
  params: graphParams,
  // The graph as written (artifacts store it so): integral nodes under no square.
  recognizes: (g) => hasKind(g, 'integral') && rootKind(g) !== 'square' && !hasKind(g, 'gp'),
  shape: 'integral nodes (and no square root or GP node)',
  methodProblem: adamOnly('an integral circuit', 'its nets are fitted by gradient through the quadrature circuit', 0.01),
  streams: false,
  ...tractableHooks,
  ...tractableQueries,
  answer: (state, q) => runQuery(state, q, { circuit: true }),
  describe: (graph, model) => {
    const report = describeIntegral(graph, materializeIntegrals(graph, 'train'));
    return { lines: integralLines(model, report), key: 'integrals', json: report };
  },
};
