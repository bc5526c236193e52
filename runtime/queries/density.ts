// logp(A = a | B = b) and p(...): the joint of the given variables with all others
// marginalized, divided by the marginal of the conditioning ones.
import type { BoundQuery } from '../../ir/query.js';
import { logDensityRows } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from './answer.js';
import { evidenceRow, queryError } from './evidence.js';
import { intervalQuery } from './interval.js';

export function densityQuery(state: ModelState, q: Extract<BoundQuery, { kind: 'density' }>): QueryAnswer {
  if (q.intervals.length) return intervalQuery(state, q);
  const V = state.graph.vars.length;
  const given = evidenceRow(V, q.given);
  const joint = evidenceRow(V, q.target, Float64Array.from(given));
  const lj = logDensityRows(state, joint, 1)[0]!;
  const lg = q.given.length ? logDensityRows(state, given, 1)[0]! : 0;
  // -Infinity - -Infinity would be NaN: a conditional on zero-density evidence is undefined.
  if (lg === -Infinity) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
  if (Number.isNaN(lj) || Number.isNaN(lg)) throw queryError(q, 'the density of these values is undefined (NaN) under the model');
  const logValue = lj - lg;
  return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
}
