// Queries of squared circuits: logp/p of full or partial assignments and conditionals (the
// product circuit c * c with the unnamed variables integrated out, over Z), exact samples
// (autoregressive inverse transform), and an approximate mode (gradient ascent from the best
// of many samples). Summaries (mean, p(x | ...) as a distribution, posterior) need moments
// of c * c, which are not built yet: they are refused with a pointer to sample(n).
import type { QueryAst } from '../../language/ast.js';
import { ConstantScope } from '../../compiler/constants.js';
import type { Diagnostic } from '../../language/diagnostics.js';
import { Rng } from '../../stdlib/random.js';
import { formatCell } from '../data/dataset.js';
import type { ModelState } from '../state.js';
import type { QueryAnswer } from '../queries/answer.js';
import { evidenceRow, QueryError, queryError, varIndex, type QueryContext } from '../queries/evidence.js';
import { squaredLogDensity } from './squared-model.js';
import { ImpossibleSquaredEvidence, squaredSample } from './sample.js';
import { squaredMode } from './map.js';

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
      if (q.intervals) throw queryError(ctx, 'interval probabilities of squared circuits are not available yet; ask for logp/p of values', q.span);
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
    case 'predict':
      throw queryError(ctx, 'predict(...) is a query of Gaussian process models; a squared circuit answers logp, p, sample and mode', q.span);
    default:
      throw queryError(ctx, `${q.kind} queries of squared circuits are not available yet (they need moments of c * c); use sample(n) and summarize the draws`, q.span);
  }
}
