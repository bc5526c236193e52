// Queries of squared circuits: logp/p of full or partial assignments and conditionals (the
// product circuit c * c with the unnamed variables integrated out, over Z), interval
// probabilities and summaries (mean, p(x | ...) as a distribution: summaries.ts, moments and
// box masses of the leaf products of c * c), exact samples (autoregressive inverse
// transform), and an approximate mode (gradient ascent from the best of many samples).
// posterior(...) is refused (families/squared/index.ts says why): a squared circuit's
// components have signed weights, so "which component" has no probability.
import type { BoundQuery } from '../../ir/query.js';
import { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from '../queries/answer.js';
import { evidenceRow, queryError } from '../queries/evidence.js';
import { cell, sampleAnswer, unanswered } from '../queries/cells.js';
import { squaredLogDensity } from './squared-model.js';
import { ImpossibleSquaredEvidence, squaredSample } from './sample.js';
import { squaredMode } from './map.js';
import { squaredIntervalLogProb, squaredSummaries } from './summaries.js';

/** Exact sampling walks the circuit per draw: a squared circuit draws at most this many per query. */
const MAX_SQUARED_SAMPLES = 1e6;

export function squaredQuery(state: ModelState, q: BoundQuery): QueryAnswer {
  const vars = state.graph.vars;
  const V = vars.length;
  switch (q.kind) {
    case 'density': {
      if (q.intervals.length) return intervalAnswer(state, q);
      const given = evidenceRow(V, q.given);
      const joint = evidenceRow(V, q.target, Float64Array.from(given));
      const rows = new Float64Array(2 * V);
      rows.set(joint, 0);
      rows.set(given, V);
      const [lj, lg] = squaredLogDensity(state, rows, 2);
      const lgv = q.given.length ? lg! : 0;
      if (lgv === -Infinity) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
      const logValue = lj! - lgv;
      return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
    }
    case 'sample': {
      if (q.count > MAX_SQUARED_SAMPLES) throw queryError(q, 'sample(n) of a squared circuit needs a whole number n between 1 and 1,000,000', q.countSpan ?? q.span);
      const evidence = q.given.length ? evidenceRow(V, q.given) : undefined;
      let rows: Float64Array;
      try {
        rows = squaredSample(state, q.count, new Rng(q.seed), evidence);
      } catch (e) {
        if (e instanceof ImpossibleSquaredEvidence) throw queryError(q, e.message);
        throw e;
      }
      return sampleAnswer(vars, rows, q.count);
    }
    case 'mode': {
      const evidence = evidenceRow(V, q.given);
      const given = new Set(q.given.map((g) => g.v));
      const targets = vars.map((_, i) => i).filter((i) => !given.has(i));
      if (targets.length === 0) throw queryError(q, 'every variable is given a value: there is nothing left to find the mode of');
      const lg = q.given.length ? squaredLogDensity(state, evidence, 1)[0]! : 0;
      if (lg === -Infinity) throw queryError(q, 'the given values have zero density under the model');
      let m;
      try {
        m = squaredMode(state, evidence, new Rng(0));
      } catch (e) {
        if (e instanceof ImpossibleSquaredEvidence) throw queryError(q, e.message);
        throw e;
      }
      const point: Record<string, number | string | boolean> = {};
      for (const t of targets) point[vars[t]!.name] = cell(m.point[t]!, vars[t]!.type);
      return { kind: 'mode', point, logDensity: m.logDensity - lg, method: `approximate: gradient ascent from the best of ${m.starts} exact samples (a squared circuit has no max-product MAP)`, exact: false };
    }
    case 'distribution':
    case 'mean': {
      const targets = q.target;
      let r;
      try {
        r = squaredSummaries(state, targets as number[], evidenceRow(V, q.given));
      } catch (e) {
        throw queryError(q, `this summary of a squared circuit cannot be computed: ${(e as Error).message}; use sample(n) and summarize the draws`, q.span, 'unsupported');
      }
      if (!Number.isFinite(r.logEvidence)) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
      if (q.kind === 'mean') return { kind: 'mean', summary: r.summary };
      return { kind: 'distribution', vars: targets.map((t) => vars[t]!.name), summary: r.summary, ...(q.given.length ? { logEvidence: r.logEvidence } : {}) };
    }
    default:
      throw queryError(q, unanswered(q.kind === 'call' ? q.form : q.kind, 'a squared circuit'), q.span, 'unsupported-query');
  }
}

/** `p(x in [a, b], y = 1 | z = 2)` on a squared circuit: the box's mass (times the density of the assignments), conditional when given. */
function intervalAnswer(state: ModelState, q: Extract<BoundQuery, { kind: 'density' }>): QueryAnswer {
  const vars = state.graph.vars;
  const given = evidenceRow(vars.length, q.given);
  const joint = evidenceRow(vars.length, q.target, Float64Array.from(given));
  for (const b of q.intervals) {
    const v = vars[b.v]!;
    // The product circuit has closed-form masses for real leaves only (the binder allows int intervals for other families).
    if (v.type.kind !== 'real') throw queryError(q, `'${v.name}' is ${v.type.kind}: an interval probability of a squared circuit needs a real variable`, b.span ?? q.span, 'type-mismatch');
  }
  let logValue: number;
  try {
    logValue = squaredIntervalLogProb(state, q.intervals, joint, given);
  } catch (e) {
    throw queryError(q, `this interval probability cannot be computed: ${(e as Error).message}`, q.span, 'unsupported');
  }
  if (Number.isNaN(logValue) || logValue === Infinity) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
  return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
}
