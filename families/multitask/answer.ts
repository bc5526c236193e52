// Queries of a fitted multitask GP in the language: predict(t = [..], id = 3) (bound by
// compiler/bind-gp-query.ts through the family's roles: the input and the task column): the
// mixture over clusters' mean, sd, 95% interval and sd_y at each point, for that task from its
// stored points (a task id not seen in training: the prior mixture over clusters), with the most
// probable cluster and p(cluster | the task's points). New tasks with points go through
// model.predict(rows) or pmix predict (their rows carry the outputs).
import type { BoundQuery } from '../../ir/query.js';
import type { PredictRow, QueryAnswer } from '../../runtime/queries/answer.js';
import { queryError } from '../../runtime/queries/evidence.js';
import type { ModelState } from '../../runtime/state.js';
import { modelOf, predictFor } from './model.js';
import { rowAnswer } from './rows.js';
import { specOf } from './spec.js';

export const MULTITASK_FORMS: readonly string[] = ['predict'];

export interface MultitaskPredictRow extends PredictRow {
  readonly cluster: number;
  readonly clusters: readonly number[];
}

export function multitaskAnswer(state: ModelState, q: BoundQuery): QueryAnswer {
  if (q.kind !== 'predict') throw queryError(q, 'a multitask GP answers predict(...) queries (and model.predict(rows) with a new task\'s points)');
  const s = specOf(state.graph);
  const m = modelOf(state);
  const name = (v: number): string => state.graph.vars[v]!.name;
  const rows: MultitaskPredictRow[] = q.points.map((x) => {
    const p = predictFor(m, x[1]!, [x[0]!]);
    const a = rowAnswer(m, p, 0);
    const clusters = Array.from(a.clusters);
    return { x, output: name(s.output), mean: a.mean, sd: a.sd, lower95: a.lower95, upper95: a.upper95, sd_y: a.sdY, cluster: clusters.indexOf(Math.max(...clusters)) + 1, clusters };
  });
  return { kind: 'predict', inputs: [name(s.input), name(s.task)], rows, note: 'the mixture over clusters: sd is the latent curve\'s, sd_y adds the noise, lower95 / upper95 are its quantiles for y; cluster is the most probable one (from 1)' };
}
