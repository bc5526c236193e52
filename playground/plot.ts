// The playground's plot, drawn by the plot module (plot/) from the API: a model's own picture
// where its family has one (a one-input GP, a KDE); else the marginal density of the chosen
// variables (one or two) with the data, coloured by most probable component, and the
// component means. Integer variables are evaluated at whole numbers only.
import type { Cell, Model } from '../api/browser.js';
import { cellCentres, curveGrid, density1dSvg, density2dSvg, paddedRange, PALETTE } from '../plot/index.js';

const GRID = 80;

/** The variables a density plot can use. */
export function numericVariables(model: Model): string[] {
  return model.variables.filter((v) => v.type.kind === 'real' || v.type.kind === 'int').map((v) => v.name);
}

/** An SVG (text) of the model; throws an Error with a message for the page when it cannot. */
export async function drawModel(model: Model, rows: readonly Record<string, Cell>[], x: string, y: string): Promise<string> {
  const own = await model.picture();
  if (own) return own;
  const kinds = new Map(model.variables.map((v) => [v.name, v.type.kind]));
  if (kinds.get(x) === undefined || kinds.get(y) === undefined) throw new Error('choose the variables to draw');
  const isInt = (name: string): boolean => kinds.get(name) === 'int';
  const at = (name: string, v: number): number => (isInt(name) ? Math.round(v) : v);
  const values = (name: string): number[] => rows.flatMap((r) => (typeof r[name] === 'number' ? [r[name] as number] : []));
  const span = (name: string): [number, number] => {
    const vs = values(name);
    if (!vs.length) return [0, 1];
    if (isInt(name)) return [Math.min(...vs) - 0.5, Math.max(...vs) + 0.5];
    return paddedRange(vs, 0.08);
  };
  if (x === y) {
    const [a, b] = span(x);
    const xs = curveGrid(a, b, values(x));
    const lp = model.logProb(Array.from(xs, (v) => ({ [x]: at(x, v) })));
    return density1dSvg({ name: x, domain: [a, b], xs, p: Array.from(lp, Math.exp), data: values(x), title: `Density of ${x}`, note: 'ticks: data', ...(isInt(x) ? { yLabel: `probability of ${x}`, integer: true } : {}) });
  }
  const [x0, x1] = span(x);
  const [y0, y1] = span(y);
  // Integer axes: one cell per whole number where there are few, so cells do not straddle two.
  const cells = (name: string, a: number, b: number): number => (isInt(name) && b - a <= GRID ? b - a : GRID);
  const nx = cells(x, x0, x1);
  const ny = cells(y, y0, y1);
  const cx = cellCentres(x0, x1, nx);
  const cy = cellCentres(y0, y1, ny);
  const grid: Record<string, number>[] = [];
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) grid.push({ [x]: at(x, cx[i]!), [y]: at(y, cy[j]!) });
  const density = Array.from(model.logProb(grid), Math.exp);
  // Only the model's own columns (the CSV may have more: the API refuses unknown keys).
  const names = model.variables.map((v) => v.name);
  const pts = rows.filter((r) => typeof r[x] === 'number' && typeof r[y] === 'number').map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
  let best: number[] = [];
  try {
    best = model.posterior(pts).map((p) => p.indexOf(Math.max(...p)));
  } catch {
    best = []; // not a mixture at the root: one colour
  }
  const markers: { at: number[]; label: string }[] = [];
  try {
    const marginal = model.condition([x, y], {});
    if (marginal.kind === 'distribution') marginal.components?.forEach((c, k) => markers.push({ at: [c.mean[0]!, c.mean[1]!], label: `${k + 1}` }));
  } catch {
    // no closed-form components (a circuit): no markers
  }
  const discrete = isInt(x) && isInt(y) && nx === x1 - x0 && ny === y1 - y0;
  const crosses = markers.length ? '; crosses: component means' : '';
  return density2dSvg({
    names: [x, y], domains: [[x0, x1], [y0, y1]], values: density, nx, ny,
    points: pts.map((r) => [r[x] as number, r[y] as number]),
    pointColor: best.length ? (i) => PALETTE[best[i]! % PALETTE.length]! : undefined,
    discrete,
    markers, title: `${discrete ? 'Probability' : 'Density'} of ${x} and ${y}`,
    note: discrete ? `tiles: the probability of each pair of values${crosses}` : `points: data${best.length ? ', coloured by their most probable component' : ''}${crosses}`,
    width: 600, height: 440,
  });
}
