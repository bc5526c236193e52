// Queries of squared circuits: logp/p of full or partial assignments and conditionals (the
// product circuit c * c with the unnamed variables integrated out, over Z), interval
// probabilities and summaries (mean, p(x | ...) as a distribution: summaries.ts, moments and
// box masses of the leaf products of c * c), exact samples (autoregressive inverse
// transform), and an approximate mode (gradient ascent from the best of many samples).
// posterior(...) is refused with a pointer to sample(n): a squared circuit's components
// have signed weights, so "which component" has no probability.
import type { QueryAst } from '../../language/index.js';
import { ConstantScope } from '../../compiler/constants.js';
import type { Diagnostic } from '../../language/index.js';
import { Rng } from '../../stdlib/random.js';
import { formatCell } from '../data/dataset.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from '../queries/answer.js';
import { evidenceRow, QueryError, queryError, varIndex, type QueryContext } from '../queries/evidence.js';
import { squaredLogDensity } from './squared-model.js';
import { ImpossibleSquaredEvidence, squaredSample } from './sample.js';
import { squaredMode } from './map.js';
import { squaredIntervalLogProb, squaredSummaries, type SquaredBound } from './summaries.js';

function cell(v: number, t: QueryContext['vars'][number]['type']): number | string | boolean {
  if (t.kind === 'categorical') return formatCell(v, t);
  if (t.kind === 'bool') return v === 1;
  return v;
}

function consts(ctx: QueryContext): ConstantScope {
  const c = new ConstantScope(ctx.file);
  for (const [k, v] of ctx.constants) c.define(k, v);
  return c;
}

export function squaredQuery(state: ModelState, q: QueryAst, ctx: QueryContext): QueryAnswer {
  switch (q.kind) {
    case 'density': {
      if (q.intervals) return intervalAnswer(state, q, ctx);
      const given = evidenceRow(ctx, q.given);
      const joint = evidenceRow(ctx, q.target, Float64Array.from(given));
      const rows = new Float64Array(2 * ctx.vars.length);
      rows.set(joint, 0);
      rows.set(given, ctx.vars.length);
      const [lj, lg] = squaredLogDensity(state, rows, 2);
      const lgv = q.given.length ? lg! : 0;
      if (lgv === -Infinity) throw queryError(ctx, 'the given values have zero density under the model: the conditional is undefined', q.span);
      const logValue = lj! - lgv;
      return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
    }
    case 'sample': {
      const c = consts(ctx);
      const diags: Diagnostic[] = [];
      const n = q.count ? c.evaluate(q.count, diags) : 1;
      if (diags.length) throw new QueryError(diags);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1e6) throw queryError(ctx, 'sample(n) of a squared circuit needs a whole number n between 1 and 1,000,000', q.count?.span ?? q.span);
      let seed = 0;
      for (const a of q.args) {
        if (a.name.name !== 'seed' || !a.value) throw queryError(ctx, `sample takes seed = N, not '${a.name.name}'`, a.span, 'unknown-argument');
        const s = c.evaluate(a.value, diags);
        if (typeof s !== 'number' || !Number.isInteger(s)) throw queryError(ctx, 'seed must be an integer', a.span);
        seed = s;
      }
      const evidence = q.given?.length ? evidenceRow(ctx, q.given) : undefined;
      let rows: Float64Array;
      try {
        rows = squaredSample(state, n, new Rng(seed), evidence);
      } catch (e) {
        if (e instanceof ImpossibleSquaredEvidence) throw queryError(ctx, e.message, q.span);
        throw e;
      }
      const V = ctx.vars.length;
      return { kind: 'sample', columns: ctx.vars.map((v) => v.name), rows: Array.from({ length: n }, (_, i) => ctx.vars.map((v, j) => cell(rows[i * V + j]!, v.type))) };
    }
    case 'mode': {
      const evidence = evidenceRow(ctx, q.given);
      const given = q.given.map((g) => varIndex(ctx, g.name));
      const targets = ctx.vars.map((_, i) => i).filter((i) => !given.includes(i));
      if (targets.length === 0) throw queryError(ctx, 'every variable is given a value: there is nothing left to find the mode of', q.span);
      const lg = q.given.length ? squaredLogDensity(state, evidence, 1)[0]! : 0;
      if (lg === -Infinity) throw queryError(ctx, 'the given values have zero density under the model', q.span);
      let m;
      try {
        m = squaredMode(state, evidence, new Rng(0));
      } catch (e) {
        if (e instanceof ImpossibleSquaredEvidence) throw queryError(ctx, e.message, q.span);
        throw e;
      }
      const point: Record<string, number | string | boolean> = {};
      for (const t of targets) point[ctx.vars[t]!.name] = cell(m.point[t]!, ctx.vars[t]!.type);
      return { kind: 'mode', point, logDensity: m.logDensity - lg, method: `approximate: gradient ascent from the best of ${m.starts} exact samples (a squared circuit has no max-product MAP)`, exact: false };
    }
    case 'distribution':
    case 'mean': {
      const given = q.given.map((g) => varIndex(ctx, g.name));
      const targets = q.target.length ? q.target.map((t) => varIndex(ctx, t)) : ctx.vars.map((_, i) => i).filter((i) => !given.includes(i));
      if (targets.length === 0) throw queryError(ctx, `every variable is given a value: there is nothing left to ${q.kind === 'mean' ? 'average' : 'describe'}`, q.span);
      const clash = targets.find((t) => given.includes(t));
      if (clash !== undefined) throw queryError(ctx, `'${ctx.vars[clash]!.name}' is both asked for and given`, q.span);
      if (new Set(targets).size !== targets.length) throw queryError(ctx, 'a variable is asked for twice', q.span);
      let r;
      try {
        r = squaredSummaries(state, targets, evidenceRow(ctx, q.given));
      } catch (e) {
        throw queryError(ctx, `this summary of a squared circuit cannot be computed: ${(e as Error).message}; use sample(n) and summarize the draws`, q.span, 'unsupported');
      }
      if (!Number.isFinite(r.logEvidence)) throw queryError(ctx, 'the given values have zero density under the model: the conditional is undefined', q.span);
      if (q.kind === 'mean') return { kind: 'mean', summary: r.summary };
      return { kind: 'distribution', vars: targets.map((t) => ctx.vars[t]!.name), summary: r.summary, ...(q.given.length ? { logEvidence: r.logEvidence } : {}) };
    }
    case 'predict':
      throw queryError(ctx, 'predict(...) is a query of Gaussian process models; a squared circuit answers logp, p, p(x in [a, b]), p(x | ...), mean, sample and mode', q.span);
    default:
      throw queryError(ctx, `${q.kind} queries of squared circuits are not available yet (their components have signed weights); use sample(n) and summarize the draws`, q.span);
  }
}

/** `p(x in [a, b], y = 1 | z = 2)` on a squared circuit: the box's mass (times the density of the assignments), conditional when given. */
function intervalAnswer(state: ModelState, q: Extract<QueryAst, { kind: 'density' }>, ctx: QueryContext): QueryAnswer {
  const given = evidenceRow(ctx, q.given);
  const joint = evidenceRow(ctx, q.target, Float64Array.from(given));
  const c = consts(ctx);
  const bounds: SquaredBound[] = [];
  for (const it of q.intervals ?? []) {
    const v = varIndex(ctx, it.name);
    const t = ctx.vars[v]!.type;
    if (t.kind !== 'real') throw queryError(ctx, `'${it.name.name}' is ${t.kind}: an interval probability of a squared circuit needs a real variable${t.kind === 'int' ? '' : ` (write ${it.name.name} = value instead)`}`, it.span, 'type-mismatch');
    if (!Number.isNaN(joint[v]!) || bounds.some((b) => b.v === v)) throw queryError(ctx, `'${it.name.name}' is given twice`, it.name.span);
    const ends = [it.lower, it.upper].map((e) => {
      const diags: Diagnostic[] = [];
      const x = c.evaluate(e, diags);
      if (diags.length) throw new QueryError(diags);
      if (typeof x !== 'number' || Number.isNaN(x)) throw queryError(ctx, 'the ends of an interval must be numbers (-inf and inf: use a large number)', e.span, 'type-mismatch');
      return x;
    }) as [number, number];
    if (ends[0] > ends[1]) throw queryError(ctx, `the interval [${ends[0]}, ${ends[1]}] is empty: its lower end is above its upper end`, it.span);
    bounds.push({ v, lower: ends[0], upper: ends[1] });
  }
  let logValue: number;
  try {
    logValue = squaredIntervalLogProb(state, bounds, joint, given);
  } catch (e) {
    throw queryError(ctx, `this interval probability cannot be computed: ${(e as Error).message}`, q.span, 'unsupported');
  }
  if (Number.isNaN(logValue) || logValue === Infinity) throw queryError(ctx, 'the given values have zero density under the model: the conditional is undefined', q.span);
  return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
}
