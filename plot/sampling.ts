// Where to evaluate a curve: at the data's own resolution or finer, so a periodic mean (a
// seasonal cycle sampled monthly) is drawn as it is and not aliased into a zigzag.
import { quantile } from 'd3-array';

/** The typical gap between neighbouring distinct data values (the median gap), or undefined. */
export function dataResolution(xs: ArrayLike<number>): number | undefined {
  const s = Float64Array.from(xs).filter(Number.isFinite).sort();
  const gaps: number[] = [];
  for (let i = 1; i < s.length; i++) if (s[i]! > s[i - 1]!) gaps.push(s[i]! - s[i - 1]!);
  return gaps.length ? quantile(gaps, 0.5) : undefined;
}

/**
 * Evenly spaced points over [a, b], at least `min` of them and at least four per data gap
 * (capped at `max`, for a very long span).
 */
export function curveGrid(a: number, b: number, dataXs: ArrayLike<number> = [], opts: { min?: number; max?: number } = {}): Float64Array {
  const res = dataResolution(dataXs);
  const min = opts.min ?? 400;
  const want = res ? Math.ceil(((b - a) / res) * 4) + 1 : min;
  const n = Math.max(2, Math.min(opts.max ?? 8000, Math.max(min, want)));
  return Float64Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** A range around values, widened by `pad` of its width on each side (a unit range when flat). */
export function paddedRange(values: ArrayLike<number>, pad = 0.06): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  const w = hi - lo || Math.abs(lo) * 0.2 || 1;
  return [lo - w * pad, hi + w * pad];
}
