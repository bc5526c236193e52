// The pieces every binding needs: a variable looked up by name (with "did you mean"), and a
// value encoded for its type (a categorical level's index, bool 0/1, an int, a finite real).
import type { Diagnostic, Span } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import type { IRVariable } from '../ir/types.js';
import type { BoundQuery, BoundValue } from '../ir/query.js';
import type { SpecValue } from './query-spec.js';

/** A bound query before its file and span are added. */
export type BoundBody = DistributiveOmit<BoundQuery, 'file' | 'span'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An integer in [lo, hi], or undefined. */
export function wholeNumber(x: unknown, lo: number, hi: number): number | undefined {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi ? x : undefined;
}

/** Collects a binding's diagnostics, all on one file. */
export class Problems {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: string) {}

  add(message: string, span: Span | undefined, code = 'bad-query', hint?: string, expected?: readonly string[]): undefined {
    this.diagnostics.push({ severity: 'error', code, message, file: this.file, ...(span ? { span } : {}), ...(hint ? { hint } : {}), ...(expected ? { expected } : {}) });
    return undefined;
  }

  get count(): number {
    return this.diagnostics.length;
  }
}

/** The index of variable `name`, or undefined after reporting it unknown. */
export function lookupVar(vars: readonly IRVariable[], name: string, span: Span | undefined, problems: Problems): number | undefined {
  const i = vars.findIndex((v) => v.name === name);
  if (i >= 0) return i;
  const names = vars.map((v) => v.name);
  return problems.add(`'${name}' is not a variable of this model (its variables: ${names.join(', ')})`, span, 'unknown-name', suggestionHint(name, names));
}

/** A value encoded for a variable's type, or why it does not fit (with a hint for a near level). */
export function encodeValue(v: IRVariable, value: unknown): number | { message: string; hint?: string } {
  const t = v.type;
  switch (t.kind) {
    case 'categorical': {
      if (typeof value !== 'string') return { message: `'${v.name}' is categorical: give a level as a string, one of ${t.levels.map((l) => `"${l}"`).join(', ')}` };
      const li = t.levels.indexOf(value);
      if (li < 0) return { message: `"${value}" is not a level of '${v.name}' (levels: ${t.levels.join(', ')})`, hint: suggestionHint(value, t.levels) };
      return li;
    }
    case 'bool':
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (value === 0 || value === 1) return value;
      return { message: `'${v.name}' is bool: give true or false` };
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return { message: `'${v.name}' is int: give an integer` };
      return value;
    default:
      if (typeof value !== 'number' || !Number.isFinite(value)) return { message: `'${v.name}' is real: give a finite number` };
      return value;
  }
}

/**
 * Assignments bound to variables, each variable at most once (`taken` holds those already
 * given elsewhere in the query, and gains these). Bad ones are reported and left out.
 */
export function bindValues(vars: readonly IRVariable[], items: readonly SpecValue[], problems: Problems, taken: Set<number>): BoundValue[] {
  const out: BoundValue[] = [];
  for (const a of items) {
    const v = lookupVar(vars, a.name, a.nameSpan ?? a.span, problems);
    if (v === undefined) continue;
    if (taken.has(v)) {
      problems.add(`'${a.name}' is given twice`, a.nameSpan ?? a.span);
      continue;
    }
    taken.add(v);
    if (a.value === undefined) continue; // its expression failed: already reported
    const e = encodeValue(vars[v]!, a.value);
    if (typeof e !== 'number') {
      problems.add(e.message, a.valueSpan ?? a.span, 'type-mismatch', e.hint);
      continue;
    }
    out.push({ v, value: e, ...(a.span ? { span: a.span } : {}) });
  }
  return out;
}
