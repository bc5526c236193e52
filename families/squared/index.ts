// Squared (subtractive) circuits: c(x)^2 / Z with signed weights, sums of squares and
// c+ x square(c); fitted by Adam on log p = 2 log|c(x)| - log Z; queries through c * c.
import { describeSquared, squaredLine } from '../../circuits/squared/describe.js';
import type { ModelFamily } from '../../runtime/family.js';
import { squaredQuery } from '../../runtime/squared/query.js';
import { adamOnly, rootKind, tractableHooks } from '../common/tractable.js';

export const squaredFamily: ModelFamily = {
  name: 'squared',
  noun: 'a squared circuit',
  recognizes: (g) => rootKind(g) === 'square',
  shape: 'a square node at its root',
  methodProblem: adamOnly('a squared circuit', 'it is fitted by gradient (log p = 2 log|c(x)| - log Z)', 0.05),
  streams: false,
  ...tractableHooks,
  // No posterior: the components of a squared circuit have signed weights.
  forms: ['logp', 'p', 'sample', 'mode', 'mean'],
  answer: squaredQuery,
  describe: (graph, model) => {
    const r = describeSquared(graph);
    return r && { lines: [squaredLine(model, r)], key: 'squared', json: r };
  },
};
