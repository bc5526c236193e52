// Queries of a fitted KDE, answered by the numerical core: logp/p of values (the rest
// marginalized) times the closed-form probability of intervals, conditionals after '|' (a
// weighted kernel estimate), p(...)/mean(...) summaries, sample, mode, and the family's own
// forms modes(...) (every mode with its mass, by mean shift) and clusters(x = ..., ...) (the
// mode each point climbs to). Errors of the core become query errors on the query's span.
import type { BoundQuery, BoundValue, CallArg } from '../../ir/query.js';
import type { IRVariable } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import type { Cell, QueryAnswer, VariableSummary } from '../../runtime/queries/answer.js';
import { cell, sampleAnswer, unanswered } from '../../runtime/queries/cells.js';
import { QueryError, queryError } from '../../runtime/queries/evidence.js';
import type { ModelState } from '../../runtime/state.js';
import { logDensity } from './direct.js';
import { kdeOf } from './fitted-graph.js';
import { assignClusters, meanShift, type MeanShiftOptions, type MeanShiftResult } from './mean-shift.js';
import type { Kde } from './model.js';
import { conditional, intervalProbability, marginal, moments, sample } from './queries.js';

export const KDE_FORMS = ['logp', 'p', 'mean', 'sample', 'mode', 'modes', 'clusters'] as const;
/** Mean shift starts from every row up to MAX_STARTS rows; above, from LARGE_STARTS rows drawn by weight (each climb costs O(n) per step). */
export const MAX_STARTS = 2000;
export const LARGE_STARTS = 500;
export const defaultStarts = (n: number): 'data' | number => (n <= MAX_STARTS ? 'data' : LARGE_STARTS);
const SHIFT_ARGS = ['starts', 'seed', 'tol', 'merge_tol', 'max_iter'];

/** A KDE over some of the variables: `cols[j]` is the variable of its column j. */
interface View {
  readonly kde: Kde;
  readonly cols: readonly number[];
}

function given(kde: Kde, values: readonly BoundValue[]): View {
  const all = [...Array(kde.d).keys()];
  if (!values.length) return { kde, cols: all };
  const map = new Map(values.map((b) => [b.v, b.value]));
  return { kde: conditional(kde, map), cols: all.filter((c) => !map.has(c)) };
}

function keep(view: View, vars: readonly number[]): View {
  if (vars.length === view.cols.length && vars.every((v, i) => view.cols[i] === v)) return view;
  return { kde: marginal(view.kde, vars.map((v) => view.cols.indexOf(v))), cols: vars };
}

const shiftCache = new WeakMap<Kde, Map<string, MeanShiftResult>>();

function shift(kde: Kde, opts: MeanShiftOptions): MeanShiftResult {
  let m = shiftCache.get(kde);
  if (!m) shiftCache.set(kde, (m = new Map()));
  const key = JSON.stringify(opts);
  let r = m.get(key);
  if (!r) m.set(key, (r = meanShift(kde, opts)));
  return r;
}

function shiftOptions(q: Extract<BoundQuery, { kind: 'call' }>, kde: Kde, allowed: readonly string[]): MeanShiftOptions {
  const bad = (name: string, msg: string): never => {
    throw queryError(q, `${q.form}(...): ${name} ${msg}`, q.argSpans[name]);
  };
  const num = (name: string, test: (v: number) => boolean, what: string): number | undefined => {
    const v: CallArg | undefined = q.args[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !test(v)) bad(name, `= ${String(v)}: expected ${what}`);
    return v as number;
  };
  for (const name of Object.keys(q.args)) if (!allowed.includes(name)) throw queryError(q, `${q.form}(...) has no argument '${name}' (it takes ${allowed.join(', ')})`, q.argSpans[name], 'unknown-argument');
  const starts = num('starts', (v) => Number.isInteger(v) && v >= 1, 'a whole number >= 1 (rows drawn by weight to start from)');
  const opts: MeanShiftOptions = {
    starts: starts ?? defaultStarts(kde.n),
    seed: num('seed', (v) => Number.isInteger(v) && v >= 0, 'a whole number >= 0') ?? 1,
    tol: num('tol', (v) => v > 0 && Number.isFinite(v), 'a number > 0') ?? 1e-6,
    mergeTol: num('merge_tol', (v) => v > 0 && Number.isFinite(v), 'a number > 0 (in bandwidths)') ?? 0.1,
    maxIter: num('max_iter', (v) => Number.isInteger(v) && v >= 1, 'a whole number >= 1') ?? 500,
  };
  return opts;
}

export function kdeAnswer(state: ModelState, q: BoundQuery): QueryAnswer {
  const kde = kdeOf(state);
  const vars = state.graph.vars;
  try {
    return answer(kde, vars, q);
  } catch (e) {
    if (e instanceof PmixError && !(e instanceof QueryError)) throw queryError(q, e.message.replace(/^kde: /, ''), q.span, 'bad-query');
    throw e;
  }
}

function answer(kde: Kde, vars: readonly IRVariable[], q: BoundQuery): QueryAnswer {
  switch (q.kind) {
    case 'density': {
      const view = given(kde, q.given);
      let logValue = 0;
      let rest = view;
      if (q.target.length) {
        const row = new Float64Array(view.kde.d).fill(NaN);
        for (const t of q.target) row[view.cols.indexOf(t.v)] = t.value;
        logValue = logDensity(view.kde, row)[0]!;
        if (q.intervals.length) rest = { kde: conditional(view.kde, new Map(q.target.map((t) => [view.cols.indexOf(t.v), t.value]))), cols: view.cols.filter((c) => !q.target.some((t) => t.v === c)) };
      }
      if (q.intervals.length) {
        const lo = new Array<number>(rest.kde.d).fill(NaN);
        const hi = new Array<number>(rest.kde.d).fill(NaN);
        for (const it of q.intervals) {
          const j = rest.cols.indexOf(it.v);
          lo[j] = it.lower;
          hi[j] = it.upper;
        }
        logValue += Math.log(intervalProbability(rest.kde, lo, hi));
      }
      return { kind: 'density', log: q.log, value: q.log ? logValue : Math.exp(logValue), logValue, conditional: q.given.length > 0 };
    }
    case 'distribution':
    case 'mean': {
      const view = keep(given(kde, q.given), q.target);
      const m = moments(view.kde);
      const summary: VariableSummary[] = view.cols.map((v, j) => {
        const t = vars[v]!.type;
        if (t.kind === 'categorical' || t.kind === 'bool') {
          const levels = t.kind === 'bool' ? ['false', 'true'] : t.levels;
          const probs: Record<string, number> = {};
          levels.forEach((l, i) => {
            const lo = new Array<number>(view.kde.d).fill(NaN);
            const hi = new Array<number>(view.kde.d).fill(NaN);
            lo[j] = hi[j] = i;
            probs[l] = intervalProbability(view.kde, lo, hi);
          });
          return { name: vars[v]!.name, probs };
        }
        return { name: vars[v]!.name, mean: m.mean[j]!, ...(q.kind === 'distribution' ? { sd: Math.sqrt(m.variance[j]!) } : {}) };
      });
      if (q.kind === 'mean') return { kind: 'mean', summary };
      return { kind: 'distribution', vars: view.cols.map((v) => vars[v]!.name), summary };
    }
    case 'sample': {
      const view = given(kde, q.given);
      const s = sample(view.kde, q.count, q.seed);
      const V = vars.length;
      const rows = new Float64Array(q.count * V);
      for (let i = 0; i < q.count; i++) {
        for (const b of q.given) rows[i * V + b.v] = b.value;
        view.cols.forEach((v, j) => (rows[i * V + v] = s[i * view.kde.d + j]!));
      }
      return sampleAnswer(vars, rows, q.count);
    }
    case 'mode': {
      const view = given(kde, q.given);
      const r = meanShift(view.kde, { starts: defaultStarts(view.kde.n), seed: 1 });
      const top = r.modes[0]!;
      const point: Record<string, Cell> = {};
      for (const b of q.given) point[vars[b.v]!.name] = cell(b.value, vars[b.v]!.type);
      view.cols.forEach((v, j) => (point[vars[v]!.name] = cell(top.point[j]!, vars[v]!.type)));
      return { kind: 'mode', point, logDensity: top.logDensity, method: `mean shift: the highest of ${r.modes.length} mode${r.modes.length === 1 ? '' : 's'}${q.given.length ? ' of the conditional' : ''}` };
    }
    case 'call':
      if (q.form === 'modes') return modes(kde, vars, q);
      if (q.form === 'clusters') return clusters(kde, vars, q);
      throw queryError(q, unanswered(q.form, 'a kernel density estimate'));
    default:
      throw queryError(q, unanswered(q.kind, 'a kernel density estimate'));
  }
}

/** modes(vars... | given): every mode of the (marginal, conditional) KDE with its mass, by decreasing density. */
function modes(kde: Kde, vars: readonly IRVariable[], q: Extract<BoundQuery, { kind: 'call' }>): QueryAnswer {
  let view = given(kde, q.given);
  if (q.targets.length) view = keep(view, q.targets);
  const r = shift(view.kde, shiftOptions(q, view.kde, SHIFT_ARGS));
  const columns = [...view.cols.map((v) => vars[v]!.name), 'mass', 'log_density'];
  const rows = r.modes.map((m) => [...view.cols.map((v, j) => cell(m.point[j]!, vars[v]!.type)), m.mass, m.logDensity]);
  return { kind: 'sample', columns, rows };
}

/** clusters(x = [..], y = [..]): the mode (numbered as modes() lists them, 0 for none) each point climbs to. */
function clusters(kde: Kde, vars: readonly IRVariable[], q: Extract<BoundQuery, { kind: 'call' }>): QueryAnswer {
  const names = vars.map((v) => v.name);
  const pointArgs = Object.keys(q.args).filter((a) => names.includes(a));
  const example = names.map((n) => `${n} = [..]`).join(', ');
  if (q.given.length || q.targets.length) throw queryError(q, `clusters(...) takes the points as ${example} (no '|', no bare names)`);
  const missing = names.filter((n) => !pointArgs.includes(n));
  if (missing.length) throw queryError(q, `clusters(...) needs a value (or a vector of values) for every variable; missing ${missing.join(', ')}: e.g. clusters(${example})`);
  const columns = names.map((n) => {
    const v = q.args[n]!;
    if (typeof v === 'number') return [v];
    if (Array.isArray(v)) return v as readonly number[];
    throw queryError(q, `clusters(...): ${n} must be a number or a vector of numbers`, q.argSpans[n]);
  });
  const m = Math.max(...columns.map((c) => c.length));
  columns.forEach((c, j) => {
    if (c.length !== 1 && c.length !== m) throw queryError(q, `clusters(...): ${names[j]} has ${c.length} values, others ${m} (give one value or the same number)`, q.argSpans[names[j]!]);
  });
  const pts = new Float64Array(m * kde.d);
  for (let i = 0; i < m; i++) columns.forEach((c, j) => (pts[i * kde.d + j] = c.length === 1 ? c[0]! : c[i]!));
  const rest: Extract<BoundQuery, { kind: 'call' }> = { ...q, args: Object.fromEntries(Object.entries(q.args).filter(([k]) => !names.includes(k))) };
  const opts = shiftOptions(rest, kde, SHIFT_ARGS);
  const r = shift(kde, opts);
  const a = assignClusters(kde, r, pts, opts);
  const rows = Array.from({ length: m }, (_, i) => [...names.map((_, j) => pts[i * kde.d + j]!), a[i]! + 1]);
  return { kind: 'sample', columns: [...names, 'cluster'], rows };
}

