// A row with every cell missing says nothing: its log density is exactly 0 (the density of
// the empty event is 1), not the rounding error of a marginalization (-1.1e-16), and a mean
// over rows leaves it out. Rows are `width` cells each, NaN for missing.

/** Sets lp[i] = 0 for each all-missing row of `x`; returns how many there were. */
export function zeroEmptyRows(x: ArrayLike<number>, n: number, width: number, lp: Float64Array): number {
  let empty = 0;
  for (let i = 0; i < n; i++) {
    let any = false;
    for (let j = 0; j < width && !any; j++) any = !Number.isNaN(x[i * width + j]!);
    if (!any) {
      lp[i] = 0;
      empty++;
    }
  }
  return empty;
}
