// Squared (subtractive) circuits: c(x)^2 / Z with signed weights, sums of squares and
// c+ x square(c); fitted by Adam on log p = 2 log|c(x)| - log Z; queries through c * c.
import { describeSquared, squaredLine } from '../../circuits/squared/describe.js';
import type { ModelFamily } from '../../runtime/family.js';
import { squaredQuery } from '../../runtime/squared/query.js';
import { squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { adamOnly, rootKind, tractableHooks } from '../common/tractable.js';
import { andList } from '../common/forms.js';
import { graphParams } from '../../runtime/graph-params-view.js';

const SQUARED_FORMS = ['logp', 'p', 'sample', 'mode', 'mean'];

export const squaredFamily: ModelFamily = {
  name: 'squared',
  noun: 'a squared circuit',
  params: graphParams,
  recognizes: (g) => rootKind(g) === 'square',
  shape: 'a square node at its root',
  methodProblem: adamOnly('a squared circuit', 'it is fitted by gradient (log p = 2 log|c(x)| - log Z)', 0.05),
  streams: false,
  ...tractableHooks,
  // log p = 2 log|c(x)| - log Z (missing cells integrated out): the shared forward pass knows no square node.
  logDensityRows: (state, x, rows) => squaredLogDensity(state, x, rows),
  // No posterior: the components of a squared circuit have signed weights.
  forms: SQUARED_FORMS,
  refusals: () => ({
    posterior: 'posterior queries of squared circuits are not available yet (their components have signed weights); use sample(n) and summarize the draws',
    predict: `predict(...) is a query of Gaussian process models; a squared circuit answers ${andList(SQUARED_FORMS)}`,
  }),
  answer: squaredQuery,
  describe: (graph, model) => {
    const r = describeSquared(graph);
    return r && { lines: [squaredLine(model, r)], key: 'squared', json: r };
  },
};
