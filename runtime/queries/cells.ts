// Answers' cells: stored values as the user writes them, sampled rows as an answer, and the
// message for a query form a family does not answer.
import type { IRVariable, VarType } from '../../ir/types.js';
import { formatCell } from '../data/dataset.js';
import type { QueryAnswer } from './answer.js';

/** A stored value as the user writes it: a categorical level's name, a bool, a number. */
export function cell(v: number, t: VarType): number | string | boolean {
  if (t.kind === 'categorical') return formatCell(v, t);
  if (t.kind === 'bool') return v === 1;
  return v;
}

/** A form that reached a family that does not answer it (the binder refuses these first). */
export function unanswered(form: string, what: string): string {
  return `${what} does not answer ${form}(...) queries`;
}

/** n sampled rows (row-major over all variables) as an answer with typed cells. */
export function sampleAnswer(vars: readonly IRVariable[], rows: Float64Array, n: number): QueryAnswer {
  const V = vars.length;
  return { kind: 'sample', columns: vars.map((v) => v.name), rows: Array.from({ length: n }, (_, i) => vars.map((v, j) => cell(rows[i * V + j]!, v.type))) };
}

