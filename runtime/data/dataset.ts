// A loaded data set: typed columns as one row-major Float64Array, NaN for a missing cell.
// Categorical cells hold the level index, bool cells 0/1.
import type { IRVariable } from '../../ir/types.js';

export interface Dataset {
  readonly name: string;
  /** Where it came from (a path, or '<inline>'). */
  readonly source: string;
  readonly columns: readonly IRVariable[];
  readonly rows: number;
  /** rows x columns, row-major. */
  readonly values: Float64Array;
}

/** The columns `names` of a data set, as a new rows x names.length matrix. */
export function selectColumns(data: Dataset, names: readonly string[]): Float64Array {
  const idx = names.map((n) => {
    const i = data.columns.findIndex((c) => c.name === n);
    if (i < 0) throw new Error(`column '${n}' is not in data set '${data.name}'`);
    return i;
  });
  const out = new Float64Array(data.rows * names.length);
  const w = data.columns.length;
  for (let r = 0; r < data.rows; r++) {
    for (let j = 0; j < idx.length; j++) out[r * idx.length + j] = data.values[r * w + idx[j]!]!;
  }
  return out;
}

/** Renders a stored cell back to its text form (level names for categorical, true/false for bool). */
export function formatCell(v: number, type: IRVariable['type']): string {
  if (Number.isNaN(v)) return '';
  switch (type.kind) {
    case 'categorical':
      return type.levels[v] ?? String(v);
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
      return String(Math.round(v));
    default:
      return String(v);
  }
}
