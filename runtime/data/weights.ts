// Per-row sample weights of a fit (`fit M on d weights w`): a column of non-negative numbers,
// not all zero; 1 for every row without one.
import { PmixError } from '../errors.js';
import type { Dataset } from './dataset.js';

export function rowWeights(data: Dataset, column: string | undefined): Float64Array {
  const w = new Float64Array(data.rows).fill(1);
  if (!column) return w;
  const j = data.columns.findIndex((c) => c.name === column);
  for (let r = 0; r < data.rows; r++) {
    const v = data.values[r * data.columns.length + j]!;
    if (Number.isNaN(v) || v < 0) throw new PmixError(`${data.source}: row ${r + 1}, column '${column}': a sample weight must be a non-negative number`, 'bad-data');
    w[r] = v;
  }
  if (w.every((x) => x === 0)) throw new PmixError(`${data.source}: every weight in column '${column}' is 0`, 'bad-data');
  return w;
}
