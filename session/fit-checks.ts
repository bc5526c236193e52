// Checks after a fit, shown under its summary (docs/fitting.md, "Fit checks"): a warning when
// the model has more free parameters than the data has values, and per column a
// goodness-of-fit distance between the fitted marginal and the data:
//   discrete columns (int, bool, categorical): the largest gap between the fitted probability
//     of a value and its frequency in the data, over the values seen (at most MAX_VALUES);
//   real columns: the Kolmogorov-Smirnov distance between the data and the fitted marginal,
//     whose CDF is the marginal density integrated on a grid.
// A column is flagged when its distance exceeds FLAG_GAP / FLAG_KS, or on few rows the
// sampling noise's size (NOISE / sqrt(rows)), so that a good fit on small data is not flagged.
import type { Dataset } from '../runtime/data/dataset.js';
import type { ModelState } from '../runtime/state.js';
import { familyOf } from '../families/index.js';

/** A discrete value's fitted probability this far from its frequency flags the column. */
export const FLAG_GAP = 0.1;
/** A Kolmogorov-Smirnov distance above this flags a real column. */
export const FLAG_KS = 0.1;
/** On n rows the threshold is at least NOISE / sqrt(n) (a fitted Normal's KS distance on n
 * Normal rows is under 0.89 / sqrt(n) in 95% of samples; a frequency's sd is at most 0.5 / sqrt(n)). */
const NOISE = 1;

export function threshold(flag: number, rows: number): number {
  return Math.max(flag, NOISE / Math.sqrt(rows));
}

/** Distinct values of a discrete column compared (the most frequent ones). */
const MAX_VALUES = 50;
/** Grid points for a real column's CDF. */
const GRID = 2001;

export interface ColumnCheck {
  readonly column: string;
  /** 'gap': largest |fitted p(v) - frequency of v|; 'ks': Kolmogorov-Smirnov distance. */
  readonly measure: 'gap' | 'ks';
  readonly distance: number;
  /** The distance above which the column is flagged (FLAG_GAP or FLAG_KS, more on few rows). */
  readonly threshold: number;
  readonly flagged: boolean;
  /** For a gap: the value where it is largest, with its fitted and observed probabilities. */
  readonly at?: { readonly value: string; readonly fitted: number; readonly observed: number };
}

export interface FitChecks {
  readonly warnings: string[];
  readonly fit_checks: ColumnCheck[];
}

/** The checks of a fitted model on its data (x: rows x vars, NaN missing). */
export function fitChecks(state: ModelState, x: Float64Array, rows: number, parameters: number): FitChecks {
  const vars = state.graph.vars;
  const V = vars.length;
  let values = 0;
  for (let i = 0; i < rows * V; i++) if (!Number.isNaN(x[i]!)) values++;
  const warnings =
    parameters > values
      ? [`more free parameters (${parameters}) than data values (${values}): the fit cannot pin them down; use a smaller model or more data`]
      : [];
  const family = familyOf(state.graph);
  // A conditional model's (a GP's) density is of outputs given inputs: no marginal to compare.
  if (family.predictor) return { warnings, fit_checks: [] };
  const marginal = (j: number, points: readonly number[]): Float64Array => {
    const q = new Float64Array(points.length * V).fill(NaN);
    points.forEach((p, i) => (q[i * V + j] = p));
    return family.logDensityRows(state, q, points.length);
  };
  const checks: ColumnCheck[] = [];
  vars.forEach((v, j) => {
    const seen: number[] = [];
    for (let r = 0; r < rows; r++) if (!Number.isNaN(x[r * V + j]!)) seen.push(x[r * V + j]!);
    if (seen.length === 0) return;
    if (v.type.kind === 'real') checks.push(ksCheck(v.name, seen, (pts) => marginal(j, pts)));
    else {
      const levels = v.type.kind === 'categorical' ? v.type.levels : undefined;
      checks.push(gapCheck(v.name, seen, (pts) => marginal(j, pts), (value) => (levels ? levels[value]! : v.type.kind === 'bool' ? String(value === 1) : String(value))));
    }
  });
  return { warnings, fit_checks: checks };
}

function gapCheck(column: string, seen: number[], logp: (pts: number[]) => Float64Array, name: (v: number) => string): ColumnCheck {
  const counts = new Map<number, number>();
  for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_VALUES);
  const lp = logp(top.map(([v]) => v));
  let best = { distance: 0, value: top[0]![0], fitted: 0, observed: 0 };
  top.forEach(([v, c], i) => {
    const fitted = Math.exp(lp[i]!);
    const observed = c / seen.length;
    if (Math.abs(fitted - observed) >= best.distance) best = { distance: Math.abs(fitted - observed), value: v, fitted, observed };
  });
  const limit = threshold(FLAG_GAP, seen.length);
  return { column, measure: 'gap', distance: best.distance, threshold: limit, flagged: best.distance > limit, at: { value: name(best.value), fitted: best.fitted, observed: best.observed } };
}

function ksCheck(column: string, seen: number[], logp: (pts: number[]) => Float64Array): ColumnCheck {
  const sorted = Float64Array.from(seen).sort();
  const n = sorted.length;
  let mean = 0;
  for (const s of sorted) mean += s / n;
  let sd = 0;
  for (const s of sorted) sd += (s - mean) ** 2 / n;
  sd = Math.sqrt(sd) || 1;
  // The grid covers the data and 4 sd beyond; the CDF is normalized by the mass on it.
  const lo = sorted[0]! - 4 * sd;
  const hi = sorted[n - 1]! + 4 * sd;
  const h = (hi - lo) / (GRID - 1);
  const grid = Array.from({ length: GRID }, (_, i) => lo + i * h);
  const dens = logp(grid).map(Math.exp);
  const cdf = new Float64Array(GRID);
  for (let i = 1; i < GRID; i++) cdf[i] = cdf[i - 1]! + ((dens[i - 1]! + dens[i]!) * h) / 2;
  const mass = cdf[GRID - 1]! || 1;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const t = (sorted[i]! - lo) / h;
    const k = Math.min(GRID - 2, Math.floor(t));
    const F = (cdf[k]! + (cdf[k + 1]! - cdf[k]!) * (t - k)) / mass;
    d = Math.max(d, Math.abs(F - i / n), Math.abs(F - (i + 1) / n));
  }
  const limit = threshold(FLAG_KS, n);
  return { column, measure: 'ks', distance: d, threshold: limit, flagged: d > limit };
}
