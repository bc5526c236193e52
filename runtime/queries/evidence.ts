// Turns the assignments of a query (`x = 3.1, species = "Adelie"`) into a data row over the
// model's variables (NaN = not given), checking names, types and levels.
import type { Assignment, Ident, Span } from '../../language/index.js';
import type { Diagnostic } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import { ConstantScope } from '../../compiler/constants.js';
import type { IRVariable } from '../../ir/types.js';

export interface QueryContext {
  readonly vars: readonly IRVariable[];
  readonly file: string;
  readonly constants: ReadonlyMap<string, number | number[]>;
}

export class QueryError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
  }
}

export function queryError(ctx: QueryContext, message: string, span: Span | undefined, code = 'bad-query', hint?: string): QueryError {
  return new QueryError([{ severity: 'error', code, message, span, file: ctx.file, hint }]);
}

export function varIndex(ctx: QueryContext, id: Ident): number {
  const i = ctx.vars.findIndex((v) => v.name === id.name);
  if (i < 0) {
    const names = ctx.vars.map((v) => v.name);
    throw queryError(ctx, `'${id.name}' is not a variable of this model (its variables: ${names.join(', ')})`, id.span, 'unknown-name', suggestionHint(id.name, names));
  }
  return i;
}

/** A row over all variables with the assignments filled in; throws QueryError on bad input. */
export function evidenceRow(ctx: QueryContext, assignments: readonly Assignment[], row = new Float64Array(ctx.vars.length).fill(NaN)): Float64Array {
  const consts = new ConstantScope(ctx.file);
  for (const [k, v] of ctx.constants) consts.define(k, v);
  const seen = new Set<number>();
  for (const a of assignments) {
    const i = varIndex(ctx, a.name);
    if (seen.has(i) || !Number.isNaN(row[i]!)) throw queryError(ctx, `'${a.name.name}' is given twice`, a.name.span);
    seen.add(i);
    const t = ctx.vars[i]!.type;
    const diags: Diagnostic[] = [];
    const v = consts.evaluate(a.value, diags);
    if (v === undefined) throw new QueryError(diags);
    row[i] = cellValue(ctx, a, t, v);
  }
  return row;
}

function cellValue(ctx: QueryContext, a: Assignment, t: IRVariable['type'], v: unknown): number {
  const bad = (msg: string, hint?: string): QueryError => queryError(ctx, msg, a.value.span, 'type-mismatch', hint);
  switch (t.kind) {
    case 'categorical': {
      if (typeof v !== 'string') throw bad(`'${a.name.name}' is categorical: give a level as a string, one of ${t.levels.map((l) => `"${l}"`).join(', ')}`);
      const li = t.levels.indexOf(v);
      if (li < 0) throw bad(`"${v}" is not a level of '${a.name.name}' (levels: ${t.levels.join(', ')})`, suggestionHint(v, t.levels));
      return li;
    }
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v === 0 || v === 1) return v;
      throw bad(`'${a.name.name}' is bool: give true or false`);
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`'${a.name.name}' is int: give an integer`);
      return v;
    default:
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`'${a.name.name}' is real: give a finite number`);
      return v;
  }
}
