// A picture of a fitted KDE over its first one or two numeric variables (plot/): the density
// (a curve in 1-D; contour bands in 2-D, the other variables marginalized), the training
// points, and the modes (mean shift) marked with their masses.
import { cellCentres, curveGrid, density1dSvg, density2dSvg, short } from '../../plot/index.js';
import type { ModelState } from '../../runtime/state.js';
import { defaultStarts } from './answer.js';
import { logDensity } from './direct.js';
import { kdeOf } from './fitted-graph.js';
import { meanShift } from './mean-shift.js';
import { marginal } from './queries.js';

const GRID = 90;
const MAX_DOTS = 3000;

/** The real variables drawn: the first two (or the only one). */
export function plotColumns(state: ModelState): number[] {
  return state.graph.vars.flatMap((v, i) => (v.type.kind === 'real' || v.type.kind === 'int' ? [i] : [])).slice(0, 2);
}

export function plotKde(state: ModelState, opts: { readonly span?: readonly [number, number] } = {}): string {
  const full = kdeOf(state);
  const cols = plotColumns(state);
  const kde = cols.length === full.d ? full : marginal(full, cols);
  const names = cols.map((c) => state.graph.vars[c]!.name);
  const range = (a: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < kde.n; i++) {
      const v = kde.x[i * kde.d + a]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const pad = (hi - lo || 1) * 0.08 + 2 * Math.sqrt(kde.H[a * kde.d + a]!);
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = opts.span ?? range(0);
  const every = Math.max(1, Math.ceil(kde.n / MAX_DOTS));
  let modes: { point: Float64Array; mass: number }[] = [];
  try {
    modes = [...meanShift(kde, { starts: defaultStarts(kde.n), seed: 1 }).modes];
  } catch {
    modes = []; // a kernel without modes (tophat): the picture goes without them
  }
  const title = `Kernel density (${kde.kernel}), ${modes.length} mode${modes.length === 1 ? '' : 's'}`;
  const note = `${kde.d === 1 ? 'ticks' : 'points'}: data; crosses: modes (mean shift) with their masses`;
  if (kde.d === 1) {
    const xs = curveGrid(x0, x1, Float64Array.from({ length: Math.ceil(kde.n / every) }, (_, k) => kde.x[k * every]!));
    const p = Array.from(logDensity(kde, xs), Math.exp);
    const data = Float64Array.from({ length: Math.ceil(kde.n / every) }, (_, k) => kde.x[k * every]!);
    return density1dSvg({
      name: names[0]!, domain: [x0, x1], xs, p, data, title, note,
      markers: modes.map((m) => ({ at: [m.point[0]!, Math.exp(logDensity(kde, m.point)[0]!)], label: `${short(m.point[0]!)} (mass ${short(m.mass)})` })),
    });
  }
  const [y0, y1] = range(1);
  const cx = cellCentres(x0, x1, GRID);
  const cy = cellCentres(y0, y1, GRID);
  const q = new Float64Array(GRID * GRID * 2);
  for (let j = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++) {
      q[(j * GRID + i) * 2] = cx[i]!;
      q[(j * GRID + i) * 2 + 1] = cy[j]!;
    }
  const points: number[][] = [];
  for (let i = 0; i < kde.n; i += every) points.push([kde.x[i * 2]!, kde.x[i * 2 + 1]!]);
  return density2dSvg({
    names: [names[0]!, names[1]!], domains: [[x0, x1], [y0, y1]], values: Array.from(logDensity(kde, q), Math.exp), nx: GRID, ny: GRID, points, title, note,
    markers: modes.map((m) => ({ at: [m.point[0]!, m.point[1]!], label: `(${short(m.point[0]!)}, ${short(m.point[1]!)}) mass ${short(m.mass)}` })),
  });
}
