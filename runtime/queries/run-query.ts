// Answers one query on a model: dispatches on the query form. Bad input (unknown variables,
// wrong types) throws QueryError carrying diagnostics with spans.
import type { Span } from '../../language/index.js';
import type { QueryAst } from '../../language/index.js';
import { ConstantScope } from '../../compiler/constants.js';
import type { Diagnostic } from '../../language/index.js';
import { NotPositiveDefiniteError } from '../../stdlib/distributions/index.js';
import { Rng } from '../../stdlib/random.js';
import { formatCell } from '../data/dataset.js';
import type { ModelState } from '../state.js';
import type { ComponentSummary, QueryAnswer } from './answer.js';
import { conditionModel } from './condition.js';
import { densityQuery } from './density.js';
import { evidenceRow, QueryError, queryError, varIndex, type QueryContext } from './evidence.js';
import { expectations, summarizeCircuit } from './expectation.js';
import { mapState } from './map.js';
import { findMode } from './mode.js';
import { summarize } from './moments.js';
import { posteriorQuery } from './posterior.js';
import { ImpossibleEvidenceError, sampleRows } from './sample.js';

/**
 * Answers a query on a tractable circuit-shaped model (mixtures, circuits, materialized
 * integral circuits). `paths.circuit` picks the circuit passes (expectations, max-product MAP)
 * over the mixture ones (the conditioning pass, local-ascent mode); the family decides.
 * Other families answer through their own entry in families/.
 */
export function runQuery(state: ModelState, q: QueryAst, ctx: QueryContext, paths: QueryPaths): QueryAnswer {
  try {
    return answer(state, q, ctx, paths);
  } catch (e) {
    // A covariance that conditioning made numerically singular is a property of this query's values.
    if (e instanceof NotPositiveDefiniteError) throw queryError(ctx, `this query cannot be answered: ${e.message.replace(/; increase reg_covar$/, '')} (numerically, for these values)`, q.span, 'degenerate');
    throw e;
  }
}

export interface QueryPaths {
  /** Circuit passes (true) or the mixture paths (false). */
  readonly circuit: boolean;
}

function answer(state: ModelState, q: QueryAst, ctx: QueryContext, paths: QueryPaths): QueryAnswer {
  switch (q.kind) {
    case 'predict':
      throw queryError(ctx, 'predict(...) is a query of Gaussian process models; this model answers logp, p, posterior, sample, mode and mean', q.span);
    case 'density':
      return densityQuery(state, q, ctx);
    case 'posterior':
      return posteriorQuery(state, q, ctx);
    case 'distribution':
    case 'mean': {
      const targets = q.target.length ? q.target.map((t) => varIndex(ctx, t)) : free(ctx, q.given.map((g) => varIndex(ctx, g.name)));
      if (targets.length === 0) throw queryError(ctx, `every variable is given a value: there is nothing left to ${q.kind === 'mean' ? 'average' : 'describe'}`, q.span);
      const given = q.given.map((g) => varIndex(ctx, g.name));
      const clash = targets.find((t) => given.includes(t));
      if (clash !== undefined) throw queryError(ctx, `'${ctx.vars[clash]!.name}' is both asked for and given`, q.span);
      if (new Set(targets).size !== targets.length) throw queryError(ctx, 'a variable is asked for twice', q.span);
      if (paths.circuit) return circuitSummary(state, q, targets, evidenceRow(ctx, q.given), ctx);
      const { model, logEvidence } = conditionModel(state, evidenceRow(ctx, q.given), targets);
      if (!Number.isFinite(logEvidence)) throw queryError(ctx, 'the given values have zero density under the model: the conditional is undefined', q.span);
      const summary = definedMoments(summarize(model, targets.map((_, i) => i)), ctx, q.span);
      if (q.kind === 'mean') return { kind: 'mean', summary };
      return { kind: 'distribution', vars: targets.map((t) => ctx.vars[t]!.name), summary, components: flatComponents(model), ...(q.given.length ? { logEvidence } : {}) };
    }
    case 'sample': {
      const consts = new ConstantScope(ctx.file);
      for (const [k, v] of ctx.constants) consts.define(k, v);
      const diags: Diagnostic[] = [];
      const n = q.count ? consts.evaluate(q.count, diags) : 1;
      if (diags.length) throw new QueryError(diags);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1e7) throw queryError(ctx, 'sample(n) needs a whole number n between 1 and 10,000,000', q.count?.span ?? q.span);
      let seed = 0;
      for (const a of q.args) {
        if (a.name.name !== 'seed' || !a.value) throw queryError(ctx, `sample takes seed = N, not '${a.name.name}'`, a.span, 'unknown-argument');
        const s = consts.evaluate(a.value, diags);
        if (typeof s !== 'number' || !Number.isInteger(s)) throw queryError(ctx, 'seed must be an integer', a.span);
        seed = s;
      }
      const evidence = q.given?.length ? evidenceRow(ctx, q.given) : undefined;
      let rows: Float64Array;
      try {
        rows = sampleRows(state, n, new Rng(seed), evidence);
      } catch (e) {
        if (e instanceof ImpossibleEvidenceError) throw queryError(ctx, e.message, q.span);
        throw e;
      }
      const V = ctx.vars.length;
      return {
        kind: 'sample',
        columns: ctx.vars.map((v) => v.name),
        rows: Array.from({ length: n }, (_, i) => ctx.vars.map((v, j) => cell(rows[i * V + j]!, v.type))),
      };
    }
    case 'mode': {
      const given = q.given.map((g) => varIndex(ctx, g.name));
      const targets = free(ctx, given);
      if (targets.length === 0) throw queryError(ctx, 'every variable is given a value: there is nothing left to find the mode of', q.span);
      if (paths.circuit) return circuitMode(state, q, targets, evidenceRow(ctx, q.given), ctx);
      const { model, logEvidence } = conditionModel(state, evidenceRow(ctx, q.given), targets);
      if (!Number.isFinite(logEvidence)) throw queryError(ctx, 'the given values have zero density under the model', q.span);
      const m = findMode(model);
      const point: Record<string, number | string | boolean> = {};
      targets.forEach((t, i) => (point[ctx.vars[t]!.name] = cell(m.point[i]!, ctx.vars[t]!.type)));
      return { kind: 'mode', point, logDensity: m.logDensity, method: 'local ascent from each component mode (best of all starts)' };
    }
  }
}

/**
 * Summaries whose mean exists: a heavy-tailed leaf (StudentT with df <= 1) has none, and its
 * NaN is reported as such rather than printed (where the mean exists, the sd is finite or infinite).
 */
function definedMoments<T extends { name: string; mean?: number }>(summary: T[], ctx: QueryContext, span: Span): T[] {
  const bad = summary.find((s) => s.mean !== undefined && Number.isNaN(s.mean));
  if (bad) throw queryError(ctx, `'${bad.name}' has no mean under this model (a heavy-tailed part, e.g. StudentT with df <= 1, has none)`, span);
  return summary;
}

/** mean(...) and p(x | ...) on a circuit: an expectation pass instead of the conditioning pass. */
function circuitSummary(state: ModelState, q: Extract<QueryAst, { kind: 'mean' | 'distribution' }>, targets: number[], evidence: Float64Array, ctx: QueryContext): QueryAnswer {
  const { logEvidence } = expectations(state, [], evidence);
  if (!Number.isFinite(logEvidence)) throw queryError(ctx, 'the given values have zero density under the model: the conditional is undefined', q.span);
  const summary = definedMoments(summarizeCircuit(state, targets, evidence), ctx, q.span);
  if (q.kind === 'mean') return { kind: 'mean', summary };
  return { kind: 'distribution', vars: targets.map((t) => ctx.vars[t]!.name), summary, ...(q.given.length ? { logEvidence } : {}) };
}

/** mode(...) on a circuit: max-product MAP given the evidence; its log density is that of the free variables given the evidence. */
function circuitMode(state: ModelState, q: Extract<QueryAst, { kind: 'mode' }>, targets: number[], evidence: Float64Array, ctx: QueryContext): QueryAnswer {
  const { logEvidence } = expectations(state, [], evidence);
  if (!Number.isFinite(logEvidence)) throw queryError(ctx, 'the given values have zero density under the model', q.span);
  const m = mapState(state, evidence);
  const point: Record<string, number | string | boolean> = {};
  for (const t of targets) point[ctx.vars[t]!.name] = cell(m.point[t]!, ctx.vars[t]!.type);
  const method = m.exact ? 'max-product: an exact MPE (the circuit is deterministic)' : 'max-product: an approximation (the circuit is not known to be deterministic)';
  return { kind: 'mode', point, logDensity: m.logDensity - logEvidence, method, exact: m.exact };
}

function free(ctx: QueryContext, given: readonly number[]): number[] {
  return ctx.vars.map((_, i) => i).filter((i) => !given.includes(i));
}

function cell(v: number, t: QueryContext['vars'][number]['type']): number | string | boolean {
  if (t.kind === 'categorical') return formatCell(v, t);
  if (t.kind === 'bool') return v === 1;
  return v;
}

/** Components of a mixture of leaves (root mixing node over input layers), for display. */
function flatComponents(model: ModelState): ComponentSummary[] | undefined {
  const root = model.node(model.graph.root);
  if (root.kind !== 'mixing' || root.units !== 1) return undefined;
  const layers = root.children.map((c) => model.layers.get(c));
  if (layers.some((l) => !l)) return undefined;
  const w = model.values.get(root.weights)!;
  const out: ComponentSummary[] = [];
  for (let a = 0; a < root.arity; a++) {
    let j = a;
    for (const layer of layers) {
      if (j < layer!.ctx.units) {
        out.push({
          weight: w[a]!,
          mean: Array.from(layer!.family.mean(layer!.params, layer!.ctx, j)),
          sd: Array.from(layer!.family.variance(layer!.params, layer!.ctx, j), Math.sqrt),
        });
        break;
      }
      j -= layer!.ctx.units;
    }
  }
  return out;
}
