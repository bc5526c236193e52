// CSV text -> rows of objects for the API: cells are typed by the model's variables where
// known (categorical stays a string), else numbers where they parse; missing tokens -> null.
import { parse } from 'csv-parse/sync';
import type { Cell } from '../api/browser.js';

interface Var {
  readonly name: string;
  readonly type: { readonly kind: string };
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a', '?']);

export function csvRows(text: string, vars: readonly Var[] = []): Record<string, Cell>[] {
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  const [header, ...body] = records;
  if (!header) return [];
  const kinds = new Map(vars.map((v) => [v.name, v.type.kind]));
  return body.map((rec) => {
    const row: Record<string, Cell> = {};
    header.forEach((name, j) => {
      const cell = rec[j] ?? '';
      const kind = kinds.get(name);
      if (MISSING.has(cell.toLowerCase())) row[name] = null;
      else if (kind === 'categorical') row[name] = cell;
      else if (kind === 'bool') row[name] = /^(true|1|yes|t|y)$/i.test(cell);
      else row[name] = Number.isFinite(Number(cell)) ? Number(cell) : cell;
    });
    return row;
  });
}
