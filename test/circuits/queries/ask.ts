// Asks a model a query written as text (the REPL's path): parse, then the family's answer.
import { expect } from 'vitest';
import type { IRGraph } from '../../../ir/types.js';
import { parseQuery } from '../../../language/parse.js';
import type { QueryAnswer } from '../../../runtime/queries/answer.js';
import { familyOf } from '../../../families/index.js';
import type { ModelState } from '../../../runtime/state.js';

export function ask(state: ModelState, text: string): QueryAnswer {
  const { query, diagnostics } = parseQuery(text);
  expect(diagnostics, text).toEqual([]);
  return familyOf(state.graph).answer(state, query!, { vars: state.graph.vars, file: '<query>', constants: new Map() });
}

/** `x3 = "b"`, `x0 = true`, `x1 = 0.5`: an assignment in query syntax. */
export function literal(graph: IRGraph, v: number, value: number): string {
  const t = graph.vars[v]!.type;
  const name = graph.vars[v]!.name;
  if (t.kind === 'categorical') return `${name} = "${t.levels[value]}"`;
  if (t.kind === 'bool') return `${name} = ${value === 1}`;
  return `${name} = ${value}`;
}

/** The assignments of the given (non-NaN) entries of a row, comma separated. */
export function literals(graph: IRGraph, row: ArrayLike<number>): string {
  const out: string[] = [];
  for (let v = 0; v < row.length; v++) if (!Number.isNaN(row[v]!)) out.push(literal(graph, v, row[v]!));
  return out.join(', ');
}
