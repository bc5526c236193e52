// A picture of a model's density (plot/): the marginal density of one variable as a curve
// with the data as a rug, or of two variables as contour bands with the data as points.
import { cellCentres, curveGrid, density1dSvg, density2dSvg, paddedRange } from '../../plot/index.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import type { ModelState } from '../../runtime/state.js';

const GRID = 90;

/** The span of some values, padded by 8% on each side. */
function range(values: readonly number[]): [number, number] {
  return paddedRange(values, 0.08);
}

export function plotDensity(state: ModelState, vars: readonly number[], data: readonly (readonly number[])[], span: readonly [number, number][]): string {
  const V = state.graph.vars.length;
  const names = vars.map((v) => state.graph.vars[v]!.name);
  // Discrete variables have mass only at whole numbers: evaluate each point at the nearest one.
  const at = vars.map((v) => (state.graph.vars[v]!.type.kind === 'real' ? (x: number) => x : Math.round));
  const [x0, x1] = span[0]!;
  if (vars.length === 1) {
    const xs = curveGrid(x0, x1, data.map((d) => d[0]!));
    const rows = new Float64Array(xs.length * V).fill(NaN);
    xs.forEach((x, i) => (rows[i * V + vars[0]!] = at[0]!(x)));
    const p = Array.from(logDensityRows(state, rows, xs.length), Math.exp);
    return density1dSvg({ name: names[0]!, domain: [x0, x1], xs, p, data: data.map((d) => d[0]!), title: `Density of ${names[0]}`, note: 'ticks: data', ...(state.graph.vars[vars[0]!]!.type.kind === 'real' ? {} : { yLabel: `probability of ${names[0]}`, integer: true }) });
  }
  // Two whole-number variables with a few dozen values each: one tile per pair of values.
  const whole = vars.every((v) => state.graph.vars[v]!.type.kind !== 'real') && data.length > 0;
  const lattice = (k: number): [number, number] => [Math.min(...data.map((d) => d[k]!)) - 0.5, Math.max(...data.map((d) => d[k]!)) + 0.5];
  const discrete = whole && lattice(0)[1] - lattice(0)[0] <= GRID && lattice(1)[1] - lattice(1)[0] <= GRID;
  const [ax, bx] = discrete ? lattice(0) : [x0, x1];
  const [ay, by] = discrete ? lattice(1) : span[1]!;
  const nx = discrete ? bx - ax : GRID;
  const ny = discrete ? by - ay : GRID;
  const cx = cellCentres(ax, bx, nx);
  const cy = cellCentres(ay, by, ny);
  const rows = new Float64Array(nx * ny * V).fill(NaN);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      rows[(j * nx + i) * V + vars[0]!] = at[0]!(cx[i]!);
      rows[(j * nx + i) * V + vars[1]!] = at[1]!(cy[j]!);
    }
  }
  const p = Array.from(logDensityRows(state, rows, nx * ny), Math.exp);
  const title = `${discrete ? 'Probability' : 'Density'} of ${names[0]} and ${names[1]}`;
  const note = discrete ? 'tiles: the probability of each pair of values' : 'points: data';
  return density2dSvg({ names: [names[0]!, names[1]!], domains: [[ax, bx], [ay, by]], values: p, nx, ny, points: data, title, note, discrete });
}

export { range as dataRange };
