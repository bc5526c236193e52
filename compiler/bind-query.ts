// Binds a query to a model: its syntax (or the API's objects) becomes a typed BoundQuery
// (ir/query.ts) over the model's variables, or diagnostics on the query's spans. Nothing here
// throws on bad input: unknown variables and levels, wrong types, values given twice, counts,
// seeds, intervals, and forms the model's family does not answer are all diagnostics.
import type { Diagnostic, QueryAst, Span } from '../language/index.js';
import { QUERY_FORMS, suggestionHint } from '../language/index.js';
import type { IRVariable } from '../ir/types.js';
import type { AnswerableForms, BoundInterval, BoundQuery, CallArg, SourceSpan } from '../ir/query.js';
import { bindGpSpec } from './bind-gp-query.js';
import { bindValues, lookupVar, Problems, wholeNumber, type BoundBody } from './bind-values.js';
import { formSpan, specFromAst, type QuerySpec, type SpecInterval } from './query-spec.js';

export interface BindOptions extends AnswerableForms {
  readonly vars: readonly IRVariable[];
  /** Values of the program's `let` constants. */
  readonly constants?: ReadonlyMap<string, number | number[]>;
  readonly file: string;
}

export interface BindResult {
  readonly query?: BoundQuery;
  readonly diagnostics: Diagnostic[];
}

export const MAX_SAMPLES = 1e7;

/** Binds a parsed query: its constants are evaluated here, once. */
export function bindQuery(ast: QueryAst, opts: BindOptions): BindResult {
  const problems = new Problems(opts.file);
  // An unanswered form says so alone (its items may not even make sense for the model).
  const form = formOf(ast);
  if (!formAnswered(form, ast.kind === 'call' ? ast.form.span : formSpan(ast.span, form), opts, problems)) return { diagnostics: problems.diagnostics };
  const spec = specFromAst(ast, opts.constants ?? new Map(), opts.file, problems.diagnostics);
  return bindAnswered(spec, opts, problems);
}

/** Binds an evaluated query (the API's objects, the CLI's options). */
export function bindSpec(spec: QuerySpec, opts: BindOptions): BindResult {
  const problems = new Problems(opts.file);
  if (!formAnswered(spec.form, spec.formSpan, opts, problems)) return { diagnostics: problems.diagnostics };
  return bindAnswered(spec, opts, problems);
}

function bindAnswered(spec: QuerySpec, opts: BindOptions, problems: Problems): BindResult {
  // Models of outputs given inputs bind their own forms to points of the inputs.
  const pointwise = opts.roles && (spec.kind === 'predict' || spec.kind === 'density' || spec.kind === 'distribution' || spec.kind === 'mean');
  const body = pointwise ? bindGpSpec(spec, opts.vars, opts.roles!, problems, opts.what) : bindBody(spec, opts, problems);
  if (!body || problems.count) return { diagnostics: problems.diagnostics };
  const query = { ...body, file: opts.file, ...(spec.span ? { span: spec.span } : {}) } as BoundQuery;
  return { query, diagnostics: [] };
}

function bindBody(spec: QuerySpec, opts: BindOptions, problems: Problems): BoundBody | undefined {
  const { vars } = opts;
  const taken = new Set<number>();
  switch (spec.kind) {
    case 'density': {
      const given = bindValues(vars, spec.given, problems, taken);
      const target = bindValues(vars, spec.target, problems, taken);
      const intervals = bindIntervals(vars, spec.intervals, problems, taken);
      return { kind: 'density', log: spec.log, target, intervals, given };
    }
    case 'distribution':
    case 'mean': {
      const asked: number[] = [];
      for (const t of spec.target) {
        const v = lookupVar(vars, t.name, t.span, problems);
        if (v === undefined) continue;
        if (asked.includes(v)) problems.add(`'${t.name}' is asked for twice`, t.span);
        else asked.push(v);
      }
      const given = bindValues(vars, spec.given, problems, taken);
      for (const t of spec.target) {
        const v = vars.findIndex((x) => x.name === t.name);
        if (v >= 0 && taken.has(v)) problems.add(`'${t.name}' is both asked for and given`, t.span ?? spec.span);
      }
      const target = spec.target.length ? asked : vars.map((_, i) => i).filter((i) => !taken.has(i));
      if (!problems.count && target.length === 0) {
        problems.add(`every variable is given a value: there is nothing left to ${spec.kind === 'mean' ? 'average' : 'describe'}`, spec.span);
      }
      return { kind: spec.kind, target, given };
    }
    case 'posterior':
      return { kind: 'posterior', evidence: bindValues(vars, spec.evidence, problems, taken) };
    case 'sample': {
      const count = spec.count ? wholeNumber(spec.count.value, 1, MAX_SAMPLES) : 1;
      if (spec.count && spec.count.value !== undefined && count === undefined) problems.add('sample(n) needs a whole number n between 1 and 10,000,000', spec.count.span ?? spec.span);
      let seed = 0;
      for (const a of spec.args) {
        if (a.name !== 'seed' || (a.valueSpan === undefined && a.value === undefined)) {
          problems.add(`sample takes seed = N, not '${a.name}'`, a.span, 'unknown-argument', a.name !== 'seed' ? suggestionHint(a.name, ['seed']) : undefined);
          continue;
        }
        if (a.value === undefined) continue;
        if (typeof a.value !== 'number' || !Number.isInteger(a.value)) problems.add('seed must be an integer', a.span);
        else seed = a.value;
      }
      const given = bindValues(vars, spec.given, problems, taken);
      if (count === undefined) return undefined;
      return { kind: 'sample', count, seed, given, ...(spec.count?.span ? { countSpan: spec.count.span } : {}) };
    }
    case 'mode': {
      const given = bindValues(vars, spec.given, problems, taken);
      if (!problems.count && taken.size === vars.length) problems.add('every variable is given a value: there is nothing left to find the mode of', spec.span);
      return { kind: 'mode', given };
    }
    case 'predict':
      // Only models of outputs given inputs (opts.roles) answer predict; checkForm refused it otherwise.
      problems.add(`${opts.what} answers no predict(...) query`, spec.formSpan ?? spec.span, 'unsupported-query');
      return undefined;
    case 'call': {
      const targets: number[] = [];
      // Null-prototype records: an argument named '__proto__' is an argument like any other.
      const args: Record<string, CallArg> = Object.create(null) as Record<string, CallArg>;
      const argSpans: Record<string, SourceSpan> = Object.create(null) as Record<string, SourceSpan>;
      for (const item of spec.items) {
        if (item.kind === 'other') {
          problems.add(`${spec.form}(...) takes variable names and arguments 'name = value', not ${item.what}`, item.span);
        } else if (item.kind === 'name') {
          const v = lookupVar(vars, item.name.name, item.name.span, problems);
          if (v !== undefined) targets.push(v);
        } else {
          const a = item.value;
          if (Object.hasOwn(args, a.name)) problems.add(`'${a.name}' is given twice`, a.nameSpan ?? a.span);
          const arg = callArg(a.value);
          if (a.value !== undefined && arg === undefined) problems.add(`'${a.name}' must be a number, a string, true or false, or a vector of numbers`, a.valueSpan ?? a.span, 'type-mismatch');
          if (arg !== undefined) {
            args[a.name] = arg;
            if (a.span) argSpans[a.name] = a.span;
          }
        }
      }
      const given = bindValues(vars, spec.given, problems, new Set(targets));
      return { kind: 'call', form: spec.form, targets, args, argSpans, given };
    }
  }
}

function bindIntervals(vars: readonly IRVariable[], items: readonly SpecInterval[], problems: Problems, taken: Set<number>): BoundInterval[] {
  const out: BoundInterval[] = [];
  for (const it of items) {
    const v = lookupVar(vars, it.name, it.nameSpan ?? it.span, problems);
    if (v === undefined) continue;
    const t = vars[v]!.type;
    if (t.kind !== 'real' && t.kind !== 'int') {
      problems.add(`'${it.name}' is ${t.kind}: an interval needs a real or int variable (write ${it.name} = value instead)`, it.span, 'type-mismatch');
      continue;
    }
    if (taken.has(v)) {
      problems.add(`'${it.name}' is given twice`, it.nameSpan ?? it.span);
      continue;
    }
    taken.add(v);
    const ends: (number | undefined)[] = [];
    for (const [x, span] of [[it.lower, it.lowerSpan], [it.upper, it.upperSpan]] as const) {
      if (x !== undefined && (typeof x !== 'number' || Number.isNaN(x))) problems.add('the ends of an interval must be numbers (-inf and inf: use a large number)', span ?? it.span, 'type-mismatch');
      ends.push(typeof x === 'number' && !Number.isNaN(x) ? x : undefined);
    }
    const [lower, upper] = ends;
    if (lower === undefined || upper === undefined) continue;
    if (lower > upper) {
      problems.add(`the interval [${lower}, ${upper}] is empty: its lower end is above its upper end`, it.span);
      continue;
    }
    out.push({ v, lower, upper, ...(it.span ? { span: it.span } : {}) });
  }
  return out;
}

function callArg(v: unknown): CallArg | undefined {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return undefined;
}

/** False after reporting a form the model does not answer: unknown ones with "did you mean", known ones with what the model answers instead. */
function formAnswered(form: string, span: Span | undefined, opts: AnswerableForms, problems: Problems): boolean {
  if (opts.forms.includes(form)) return true;
  const list = opts.forms.map((f) => `${f}(...)`).join(', ');
  if (!BUILT_IN.has(form)) {
    problems.add(`unknown query '${form}'`, span, 'unknown-query', suggestionHint(form, opts.forms), opts.forms.map((f) => `'${f}'`));
    return false;
  }
  problems.add(opts.refusals?.[form] ?? `${opts.what} does not answer ${form}(...); it answers ${list}`, span, 'unsupported-query');
  return false;
}

const BUILT_IN = new Set(QUERY_FORMS);

/** The form as written: the grammar's kinds map back to their names. */
export function formOf(q: QueryAst): string {
  switch (q.kind) {
    case 'density':
      return q.log ? 'logp' : 'p';
    case 'distribution':
      return 'p';
    case 'call':
      return q.form.name;
    default:
      return q.kind;
  }
}
