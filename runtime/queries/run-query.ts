// Answers one bound query (ir/query.ts) on a model: dispatches on the query kind. The binder
// (compiler/bind-query.ts) checked names, types and forms; what is left to fail here depends
// on values (zero-density evidence, a singular conditional) and throws QueryError at the
// query's position.
import type { BoundQuery, SourceSpan } from '../../ir/query.js';
import { NotPositiveDefiniteError } from '../../stdlib/distributions/index.js';
import { Rng } from '../../stdlib/random.js';
import { cell, sampleAnswer, unanswered } from './cells.js';
import type { ModelState } from '../state.js';
import type { ComponentSummary, QueryAnswer } from './answer.js';
import { conditionModel } from './condition.js';
import { densityQuery } from './density.js';
import { evidenceRow, queryError } from './evidence.js';
import { expectations, summarizeCircuit } from './expectation.js';
import { mapState } from './map.js';
import { findMode } from './mode.js';
import { summarize } from './moments.js';
import { posteriorQuery } from './posterior.js';
import { ImpossibleEvidenceError, sampleRows } from './sample.js';

/**
 * Answers a bound query on a tractable circuit-shaped model (mixtures, circuits, materialized
 * integral circuits). `paths.circuit` picks the circuit passes (expectations, max-product MAP)
 * over the mixture ones (the conditioning pass, local-ascent mode); the family decides.
 * Other families answer through their own entry in families/.
 */
export function runQuery(state: ModelState, q: BoundQuery, paths: QueryPaths): QueryAnswer {
  try {
    return answer(state, q, paths);
  } catch (e) {
    // A covariance that conditioning made numerically singular is a property of this query's values.
    if (e instanceof NotPositiveDefiniteError) throw queryError(q, `this query cannot be answered: ${e.message.replace(/; increase reg_covar$/, '')} (numerically, for these values)`, q.span, 'degenerate');
    throw e;
  }
}

export interface QueryPaths {
  /** Circuit passes (true) or the mixture paths (false). */
  readonly circuit: boolean;
}

function answer(state: ModelState, q: BoundQuery, paths: QueryPaths): QueryAnswer {
  const vars = state.graph.vars;
  switch (q.kind) {
    case 'density':
      return densityQuery(state, q);
    case 'posterior':
      return posteriorQuery(state, q);
    case 'distribution':
    case 'mean': {
      const targets = q.target;
      const evidence = evidenceRow(vars.length, q.given);
      if (paths.circuit) return circuitSummary(state, q, targets, evidence);
      const { model, logEvidence } = conditionModel(state, evidence, targets);
      if (!Number.isFinite(logEvidence)) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
      const summary = definedMoments(summarize(model, targets.map((_, i) => i)), q);
      if (q.kind === 'mean') return { kind: 'mean', summary };
      return { kind: 'distribution', vars: targets.map((t) => vars[t]!.name), summary, components: flatComponents(model), ...(q.given.length ? { logEvidence } : {}) };
    }
    case 'sample': {
      const evidence = q.given.length ? evidenceRow(vars.length, q.given) : undefined;
      let rows: Float64Array;
      try {
        rows = sampleRows(state, q.count, new Rng(q.seed), evidence);
      } catch (e) {
        if (e instanceof ImpossibleEvidenceError) throw queryError(q, e.message);
        throw e;
      }
      return sampleAnswer(vars, rows, q.count);
    }
    case 'mode': {
      const given = new Set(q.given.map((g) => g.v));
      const targets = vars.map((_, i) => i).filter((i) => !given.has(i));
      if (targets.length === 0) throw queryError(q, 'every variable is given a value: there is nothing left to find the mode of');
      const evidence = evidenceRow(vars.length, q.given);
      if (paths.circuit) return circuitMode(state, q, targets, evidence);
      const { model, logEvidence } = conditionModel(state, evidence, targets);
      if (!Number.isFinite(logEvidence)) throw queryError(q, 'the given values have zero density under the model');
      const m = findMode(model);
      const point: Record<string, number | string | boolean> = {};
      targets.forEach((t, i) => (point[vars[t]!.name] = cell(m.point[i]!, vars[t]!.type)));
      return { kind: 'mode', point, logDensity: m.logDensity, method: 'local ascent from each component mode (best of all starts)' };
    }
    default:
      throw queryError(q, unanswered(q.kind === 'call' ? q.form : q.kind, 'this model'), q.span, 'unsupported-query');
  }
}

/**
 * Summaries whose mean exists: a heavy-tailed leaf (StudentT with df <= 1) has none, and its
 * NaN is reported as such rather than printed (where the mean exists, the sd is finite or infinite).
 */
function definedMoments<T extends { name: string; mean?: number }>(summary: T[], q: BoundQuery, span?: SourceSpan): T[] {
  const bad = summary.find((s) => s.mean !== undefined && Number.isNaN(s.mean));
  if (bad) throw queryError(q, `'${bad.name}' has no mean under this model (a heavy-tailed part, e.g. StudentT with df <= 1, has none)`, span ?? q.span);
  return summary;
}

/** mean(...) and p(x | ...) on a circuit: an expectation pass instead of the conditioning pass. */
function circuitSummary(state: ModelState, q: Extract<BoundQuery, { kind: 'mean' | 'distribution' }>, targets: readonly number[], evidence: Float64Array): QueryAnswer {
  const { logEvidence } = expectations(state, [], evidence);
  if (!Number.isFinite(logEvidence)) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
  const summary = definedMoments(summarizeCircuit(state, targets as number[], evidence), q);
  if (q.kind === 'mean') return { kind: 'mean', summary };
  return { kind: 'distribution', vars: targets.map((t) => state.graph.vars[t]!.name), summary, ...(q.given.length ? { logEvidence } : {}) };
}

/** mode(...) on a circuit: max-product MAP given the evidence; its log density is that of the free variables given the evidence. */
function circuitMode(state: ModelState, q: Extract<BoundQuery, { kind: 'mode' }>, targets: number[], evidence: Float64Array): QueryAnswer {
  const { logEvidence } = expectations(state, [], evidence);
  if (!Number.isFinite(logEvidence)) throw queryError(q, 'the given values have zero density under the model');
  const m = mapState(state, evidence);
  const vars = state.graph.vars;
  const point: Record<string, number | string | boolean> = {};
  for (const t of targets) point[vars[t]!.name] = cell(m.point[t]!, vars[t]!.type);
  const method = m.exact ? 'max-product: an exact MPE (the circuit is deterministic)' : 'max-product: an approximation (the circuit is not known to be deterministic)';
  return { kind: 'mode', point, logDensity: m.logDensity - logEvidence, method, exact: m.exact };
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
