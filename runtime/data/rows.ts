// Builds a Dataset from rows given in memory (the embedding API): an array of objects or an
// object of column arrays. Types come from the declared columns when known, else from the
// values (integers -> int, other numbers -> real, booleans -> bool, strings -> categorical). Errors name the row and
// the column; nothing throws.
import type { Diagnostic } from '../../language/index.js';
import { suggestionHint } from '../../language/index.js';
import type { IRVariable, VarType } from '../../ir/types.js';
import type { Dataset } from './dataset.js';

export type Cell = number | string | boolean | null | undefined;
export type Rows = readonly Readonly<Record<string, Cell>>[] | Readonly<Record<string, readonly Cell[]>>;

/** absent: 'error' reports a declared column the rows lack; 'missing' treats it as all missing. */
export function rowsToDataset(name: string, rows: Rows, declared?: readonly IRVariable[], absent: 'error' | 'missing' = 'error'): { data?: Dataset; diagnostics: Diagnostic[] } {
  const columns = toColumns(rows);
  if (typeof columns === 'string') return { diagnostics: [error(columns)] };
  const names = Object.keys(columns);
  const n = Array.isArray(rows) ? rows.length : names.length ? columns[names[0]!]!.length : 0;
  for (const c of names) if (columns[c]!.length !== n) return { diagnostics: [error(`column '${c}' has ${columns[c]!.length} values but '${names[0]}' has ${n}`)] };
  const vars: IRVariable[] = declared
    ? [...declared]
    : names.map((c) => ({ name: c, type: inferType(columns[c]!) }));
  const diagnostics: Diagnostic[] = [];
  for (const v of vars) {
    if (!Object.hasOwn(columns, v.name) && absent === 'error') diagnostics.push(error(`the data has no column '${v.name}' (it has ${names.join(', ') || 'none'})`, suggestionHint(v.name, names)));
  }
  if (diagnostics.length) return { diagnostics };
  const values = new Float64Array(n * vars.length);
  vars.forEach((v, j) => {
    // Own columns only: a variable named toString must not find Object.prototype's.
    const col = Object.hasOwn(columns, v.name) ? columns[v.name] : undefined;
    if (!col) {
      for (let i = 0; i < n; i++) values[i * vars.length + j] = NaN;
      return;
    }
    for (let i = 0; i < n; i++) {
      const r = cellValue(col[i], v.type);
      if (typeof r === 'string') {
        if (diagnostics.length < 10) diagnostics.push(error(`row ${i + 1}, column '${v.name}': ${r}`));
      } else values[i * vars.length + j] = r;
    }
  });
  if (diagnostics.length) return { diagnostics };
  return { data: { name, source: '<rows>', columns: vars, rows: n, values }, diagnostics };
}

function toColumns(rows: Rows): Record<string, readonly Cell[]> | string {
  if (Array.isArray(rows)) {
    const out: Record<string, Cell[]> = Object.create(null) as Record<string, Cell[]>;
    const keys: string[] = [];
    (rows as readonly Readonly<Record<string, Cell>>[]).forEach((r, i) => {
      if (typeof r !== 'object' || r === null) return;
      for (const k of Object.keys(r)) {
        if (!(k in out)) {
          out[k] = new Array<Cell>(i).fill(null);
          keys.push(k);
        }
      }
      for (const k of keys) out[k]!.push(r[k] ?? null);
    });
    if ((rows as readonly unknown[]).some((r) => typeof r !== 'object' || r === null)) return 'every row must be an object of column values';
    return out;
  }
  if (typeof rows !== 'object' || rows === null) return 'data must be an array of row objects or an object of column arrays';
  for (const [k, v] of Object.entries(rows)) if (!Array.isArray(v)) return `column '${k}' must be an array`;
  return rows as Record<string, readonly Cell[]>;
}

function inferType(col: readonly Cell[]): VarType {
  const present = col.filter((v) => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
  if (present.length && present.every((v) => typeof v === 'boolean')) return { kind: 'bool' };
  if (present.some((v) => typeof v === 'string')) return { kind: 'categorical', levels: [...new Set(present.map(String))].sort() };
  // All-integer numbers are int: every continuous family accepts int columns, count families need them.
  if (present.length && present.every((v) => typeof v === 'number' && Number.isInteger(v))) return { kind: 'int' };
  return { kind: 'real' };
}

/** The stored number, or why the cell does not fit the type. */
function cellValue(v: Cell, t: VarType): number | string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return NaN;
  switch (t.kind) {
    case 'categorical': {
      const i = t.levels.indexOf(String(v));
      return i >= 0 ? i : `'${String(v)}' is not one of the levels (${t.levels.join(', ')})`;
    }
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0;
      return v === 0 || v === 1 ? v : `${JSON.stringify(v)} is not a bool`;
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : `${JSON.stringify(v)} is not an integer`;
    default:
      return typeof v === 'number' && Number.isFinite(v) ? v : `${JSON.stringify(v)} is not a finite number`;
  }
}

function error(message: string, hint?: string): Diagnostic {
  return { severity: 'error', code: 'bad-data', message, file: '<rows>', ...(hint ? { hint } : {}) };
}
