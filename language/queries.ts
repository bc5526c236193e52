// The query forms. The grammar reads every query as `form(items | given)`; here the built-in
// forms are dispatched on and their items checked. Any other form becomes a 'call' as written:
// the binder (compiler/bind-query.ts) knows the forms the model's family answers, so it gives
// `lopg(...)` its "did you mean" and binds a family's own forms.
import type { Arg, Assignment, Expr, Ident, QueryAst, QueryItem, Span } from './ast.js';
import type { Diagnostic } from './diagnostics.js';

export type { QueryItem };

/** The forms the grammar knows (a family may answer more: they parse as 'call'). */
export const QUERY_FORMS: readonly string[] = ['logp', 'p', 'posterior', 'sample', 'mode', 'mean', 'predict'];

export interface RawQuery {
  readonly form: Ident;
  /** The items before '|'. */
  readonly items: readonly QueryItem[];
  /** The assignments after '|'. */
  readonly given: readonly Assignment[];
  /** The '|', when written. */
  readonly bar?: Span | undefined;
  readonly span: Span;
  readonly file: string;
}

type Result = { query: QueryAst } | { diagnostic: Diagnostic };

function itemSpan(item: QueryItem): Span {
  return item.kind === 'assignment' ? item.assignment.span : item.kind === 'interval' ? item.interval.span : item.expr.span;
}

function describe(item: QueryItem): string {
  if (item.kind === 'assignment') return `the assignment '${item.assignment.name.name} = ...'`;
  if (item.kind === 'interval') return `the interval '${item.interval.name.name} in [...]'`;
  return item.expr.kind === 'name' ? `'${item.expr.name}'` : 'an expression';
}

export function buildQuery(q: RawQuery): Result {
  const fail = (span: Span, message: string, hint?: string, expected?: readonly string[], code = 'syntax'): Result => ({
    diagnostic: {
      severity: 'error',
      code,
      message,
      span,
      file: q.file,
      ...(expected ? { expected } : {}),
      ...(hint ? { hint } : {}),
    },
  });
  const form = q.form.name;
  const call = `${form}(...)`;

  /** All items as assignments, or the diagnostic for the first that is not one. */
  const assignments = (example: string, items: readonly QueryItem[] = q.items): Assignment[] | Result => {
    const out: Assignment[] = [];
    for (const item of items) {
      if (item.kind === 'assignment') {
        out.push(item.assignment);
        continue;
      }
      if (item.kind === 'interval') {
        return fail(itemSpan(item), `${call} takes no interval`, `intervals 'x in [a, b]' go in p(...) and logp(...), e.g. p(x in [0, 1])`);
      }
      const what = item.expr.kind === 'name' ? `'=' after '${item.expr.name}'` : "an assignment 'name = value'";
      return fail(itemSpan(item), `expected ${what} in ${call}`, `${call} takes assignments such as ${example}`, ["'='"]);
    }
    return out;
  };
  /** All items as variable names, or the diagnostic for the first that is not one. */
  const names = (hint: string): Ident[] | Result => {
    const out: Ident[] = [];
    for (const item of q.items) {
      if (item.kind === 'expr' && item.expr.kind === 'name') {
        out.push({ name: item.expr.name, span: item.expr.span });
        continue;
      }
      return fail(itemSpan(item), `expected a variable name in ${call} but found ${describe(item)}`, hint, ['a name']);
    }
    return out;
  };
  const noBar = (why: string): Result | undefined =>
    q.bar ? fail(q.bar, `${call} takes no '|'`, why) : undefined;

  switch (form) {
    case 'logp':
    case 'p': {
      const first = q.items[0];
      if (!first) {
        return fail(q.span, `${call} needs at least one assignment or variable before '|'`, `e.g. ${form}(x = 1) or p(x | y = 2)`);
      }
      const isName = (i: QueryItem): boolean => i.kind === 'expr' && i.expr.kind === 'name';
      if (form === 'p' && isName(first)) {
        const odd = q.items.find((i) => i.kind !== 'expr');
        if (odd) {
          return fail(
            itemSpan(odd),
            "p(...) mixes variables and assignments before '|'",
            'write p(x | y = 1) for the distribution of x given y = 1, or p(x = 0, y = 1) for a density',
          );
        }
        const target = names('p(...) takes variables (its distribution) or assignments (a density)');
        if (!Array.isArray(target)) return target;
        return { query: { kind: 'distribution', target, given: q.given, span: q.span } };
      }
      if (form === 'p' && first.kind !== 'expr') {
        const odd = q.items.find(isName);
        if (odd) {
          return fail(
            itemSpan(odd),
            "p(...) mixes variables and assignments before '|'",
            'write p(x | y = 1) for the distribution of x given y = 1, or p(x = 0, y = 1) for a density',
          );
        }
      }
      // Intervals `x in [a, b]` make it the probability of a box (times densities of any assignments).
      const intervals = q.items.flatMap((i) => (i.kind === 'interval' ? [i.interval] : []));
      const target = assignments('x = 1', q.items.filter((i) => i.kind !== 'interval'));
      if (!Array.isArray(target)) return target;
      return { query: { kind: 'density', log: form === 'logp', target, given: q.given, ...(intervals.length ? { intervals } : {}), span: q.span } };
    }
    case 'posterior': {
      const bad = noBar('its assignments are all evidence, e.g. posterior(x = 1, y = 2)');
      if (bad) return bad;
      const evidence = assignments('x = 1');
      if (!Array.isArray(evidence)) return evidence;
      return { query: { kind: 'posterior', evidence, span: q.span } };
    }
    case 'sample': {
      // `sample(10 | x = 1)`: draws given x = 1.
      let count: Expr | undefined;
      const args: Arg[] = [];
      q.items.forEach((item, i) => {
        if (item.kind === 'expr' && i === 0) count = item.expr;
        else if (item.kind === 'assignment') args.push({ name: item.assignment.name, value: item.assignment.value, span: item.assignment.span });
      });
      const stray = q.items.find((item, i) => (item.kind === 'expr' && i > 0) || item.kind === 'interval');
      if (stray) {
        return fail(itemSpan(stray), `expected an argument 'name = value' in ${call} but found ${describe(stray)}`,
          'the count comes first: sample(10, seed = 1)', ["'='"]);
      }
      return { query: { kind: 'sample', args, ...(count ? { count } : {}), ...(q.given.length ? { given: q.given } : {}), span: q.span } };
    }
    case 'mode': {
      const given = assignments('y = 2 (the values to condition on)');
      if (!Array.isArray(given)) return given;
      return { query: { kind: 'mode', given: [...given, ...q.given], span: q.span } };
    }
    case 'predict': {
      // GP predictions: inputs (numbers, or vectors for several points) and options (samples, seed).
      const bad = noBar('write predict(x = 2030.5) or predict(x = [1, 2, 3], samples = 2)');
      if (bad) return bad;
      const items = assignments('x = 2030.5');
      if (!Array.isArray(items)) return items;
      return { query: { kind: 'predict', items, span: q.span } };
    }
    case 'mean': {
      const target = names('write mean(x | y = 1) for the mean of x given y = 1');
      if (!Array.isArray(target)) return target;
      return { query: { kind: 'mean', target, given: q.given, span: q.span } };
    }
    default:
      return { query: { kind: 'call', form: q.form, items: q.items, given: q.given, span: q.span } };
  }
}
