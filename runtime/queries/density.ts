// logp(A = a | B = b) and p(...): the joint of the given variables with all others
// marginalized, divided by the marginal of the conditioning ones.
import type { QueryAst } from '../../language/ast.js';
import { logDensityRows } from '../evaluate.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from './answer.js';
import { evidenceRow, type QueryContext } from './evidence.js';

export function densityQuery(state: ModelState, q: Extract<QueryAst, { kind: 'density' }>, ctx: QueryContext): QueryAnswer {
  const given = evidenceRow(ctx, q.given);
  const joint = evidenceRow(ctx, q.target, Float64Array.from(given));
  const lj = logDensityRows(state, joint, 1)[0]!;
  const lg = q.given.length ? logDensityRows(state, given, 1)[0]! : 0;
  const logValue = lj - lg;
  return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
}
