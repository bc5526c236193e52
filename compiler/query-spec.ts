// A query with its values evaluated but not yet bound to a model: what the binder works on.
// Model text gets here by evaluating its constant expressions once (specFromAst); the embedding
// API builds one from plain objects (api/model.ts), so both take the same checks.
import type { Assignment, Expr, QueryAst, QueryItem, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { ConstantScope, type Value } from './constants.js';

export interface SpecName {
  readonly name: string;
  readonly span?: Span;
}

/** `name = value`; value undefined when its expression failed (the diagnostic is already given). */
export interface SpecValue {
  readonly name: string;
  readonly nameSpan?: Span;
  readonly value: Value | undefined;
  readonly valueSpan?: Span;
  readonly span?: Span;
}

export interface SpecInterval {
  readonly name: string;
  readonly nameSpan?: Span;
  readonly lower: Value | undefined;
  readonly upper: Value | undefined;
  readonly lowerSpan?: Span;
  readonly upperSpan?: Span;
  readonly span?: Span;
}

/** An item of a family's own form: a bare variable name, an argument, or something it cannot take. */
export type SpecItem = { readonly kind: 'name'; readonly name: SpecName } | { readonly kind: 'value'; readonly value: SpecValue } | { readonly kind: 'other'; readonly what: string; readonly span?: Span };

export type QuerySpec = (
  | { readonly kind: 'density'; readonly log: boolean; readonly target: readonly SpecValue[]; readonly intervals: readonly SpecInterval[]; readonly given: readonly SpecValue[] }
  | { readonly kind: 'distribution' | 'mean'; readonly target: readonly SpecName[]; readonly given: readonly SpecValue[] }
  | { readonly kind: 'posterior'; readonly evidence: readonly SpecValue[] }
  | { readonly kind: 'sample'; readonly count?: { readonly value: Value | undefined; readonly span?: Span }; readonly args: readonly SpecValue[]; readonly given: readonly SpecValue[] }
  | { readonly kind: 'mode'; readonly given: readonly SpecValue[] }
  | { readonly kind: 'predict'; readonly items: readonly SpecValue[] }
  | { readonly kind: 'call'; readonly items: readonly SpecItem[]; readonly given: readonly SpecValue[] }
) & {
  /** The form as written ('logp', 'p', 'modes'), checked against the forms the model answers. */
  readonly form: string;
  readonly formSpan?: Span;
  readonly span?: Span;
};

/** The query's syntax with every constant expression evaluated (failures pushed to diags). */
export function specFromAst(q: QueryAst, constants: ReadonlyMap<string, number | number[]>, file: string, diags: Diagnostic[]): QuerySpec {
  const scope = new ConstantScope(file);
  for (const [k, v] of constants) scope.define(k, v);
  const evaluate = (e: Expr): Value | undefined => scope.evaluate(e, diags);
  const value = (a: Assignment): SpecValue => ({ name: a.name.name, nameSpan: a.name.span, value: evaluate(a.value), valueSpan: a.value.span, span: a.span });
  const values = (as: readonly Assignment[] | undefined): SpecValue[] => (as ?? []).map(value);
  const head = (form: string) => ({ form, formSpan: formSpan(q.span, form), span: q.span });
  switch (q.kind) {
    case 'density':
      return {
        kind: 'density',
        log: q.log,
        target: values(q.target),
        intervals: (q.intervals ?? []).map((it) => ({
          name: it.name.name,
          nameSpan: it.name.span,
          lower: evaluate(it.lower),
          upper: evaluate(it.upper),
          lowerSpan: it.lower.span,
          upperSpan: it.upper.span,
          span: it.span,
        })),
        given: values(q.given),
        ...head(q.log ? 'logp' : 'p'),
      };
    case 'distribution':
    case 'mean':
      return { kind: q.kind, target: q.target.map((t) => ({ name: t.name, span: t.span })), given: values(q.given), ...head(q.kind === 'mean' ? 'mean' : 'p') };
    case 'posterior':
      return { kind: 'posterior', evidence: values(q.evidence), ...head('posterior') };
    case 'sample':
      return {
        kind: 'sample',
        ...(q.count ? { count: { value: evaluate(q.count), span: q.count.span } } : {}),
        // A bare flag (`sample(3, seed)`) has no value: the binder refuses it by name.
        args: q.args.map((a) => ({ name: a.name.name, nameSpan: a.name.span, value: a.value ? evaluate(a.value) : undefined, valueSpan: a.value?.span, span: a.span })),
        given: values(q.given),
        ...head('sample'),
      };
    case 'mode':
      return { kind: 'mode', given: values(q.given), ...head('mode') };
    case 'predict':
      return { kind: 'predict', items: values(q.items), ...head('predict') };
    case 'call':
      return { kind: 'call', items: q.items.map((i) => callItem(i, value)), given: values(q.given), form: q.form.name, formSpan: q.form.span, span: q.span };
  }
}

function callItem(item: QueryItem, value: (a: Assignment) => SpecValue): SpecItem {
  if (item.kind === 'assignment') return { kind: 'value', value: value(item.assignment) };
  if (item.kind === 'interval') return { kind: 'other', what: `the interval '${item.interval.name.name} in [...]'`, span: item.interval.span };
  if (item.expr.kind === 'name') return { kind: 'name', name: { name: item.expr.name, span: item.expr.span } };
  return { kind: 'other', what: 'an expression', span: item.expr.span };
}

/** The form's name: the query text starts with it. */
export function formSpan(span: Span, form: string): Span {
  return { ...span, endOffset: span.startOffset + form.length, endLine: span.startLine, endColumn: span.startColumn + form.length };
}
