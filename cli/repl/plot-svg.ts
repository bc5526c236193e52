// An SVG picture of a model's density, written as text (no DOM): the marginal density of one
// variable as a curve, or of two variables as a shaded grid, with the data as points.
import { logDensityRows } from '../../runtime/evaluate.js';
import type { ModelState } from '../../runtime/state.js';

const W = 560;
const H = 420;
const PAD = 48;
const GRID = 60;

const fmt = (v: number): string => Number(v.toPrecision(4)).toString();
const tick = (v: number): string => (v !== 0 && Math.abs(v) < 0.01 ? v.toExponential(2) : fmt(v));
const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The span of some values, padded by 8% on each side. */
function range(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo || 1) * 0.08;
  return [lo - pad, hi + pad];
}

export function plotDensity(state: ModelState, vars: readonly number[], data: readonly (readonly number[])[], span: readonly [number, number][]): string {
  const V = state.graph.vars.length;
  const names = vars.map((v) => state.graph.vars[v]!.name);
  // Discrete variables have mass only at whole numbers: evaluate each point at the nearest one.
  const at = vars.map((v) => (state.graph.vars[v]!.type.kind === 'real' ? (x: number) => x : Math.round));
  const [x0, x1] = span[0]!;
  const sx = (x: number): number => PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD);
  const parts: string[] = [];
  if (vars.length === 1) {
    const xs = Array.from({ length: 200 }, (_, i) => x0 + ((x1 - x0) * i) / 199);
    const rows = new Float64Array(xs.length * V).fill(NaN);
    xs.forEach((x, i) => (rows[i * V + vars[0]!] = at[0]!(x)));
    const p = Array.from(logDensityRows(state, rows, xs.length), Math.exp);
    const top = Math.max(...p, 1e-300);
    const sy = (y: number): number => H - PAD - (y / top) * (H - 2 * PAD);
    parts.push(`<path d="${xs.map((x, i) => `${i ? 'L' : 'M'}${fmt(sx(x))},${fmt(sy(p[i]!))}`).join('')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
    for (const d of data) parts.push(`<line x1="${fmt(sx(d[0]!))}" x2="${fmt(sx(d[0]!))}" y1="${H - PAD}" y2="${H - PAD + 6}" stroke="#555" stroke-opacity="0.4"/>`);
    parts.push(axisLabels(names[0]!, `p(${names[0]})`, x0, x1, 0, top));
  } else {
    const [y0, y1] = span[1]!;
    const sy = (y: number): number => H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD);
    const rows = new Float64Array(GRID * GRID * V).fill(NaN);
    for (let i = 0; i < GRID; i++) {
      for (let j = 0; j < GRID; j++) {
        rows[(i * GRID + j) * V + vars[0]!] = at[0]!(x0 + ((x1 - x0) * (i + 0.5)) / GRID);
        rows[(i * GRID + j) * V + vars[1]!] = at[1]!(y0 + ((y1 - y0) * (j + 0.5)) / GRID);
      }
    }
    const p = Array.from(logDensityRows(state, rows, GRID * GRID), Math.exp);
    const top = Math.max(...p, 1e-300);
    const cw = (W - 2 * PAD) / GRID;
    const ch = (H - 2 * PAD) / GRID;
    p.forEach((v, k) => {
      const i = Math.floor(k / GRID);
      const j = k % GRID;
      const a = Math.sqrt(v / top);
      if (a > 0.01) parts.push(`<rect x="${fmt(PAD + i * cw)}" y="${fmt(H - PAD - (j + 1) * ch)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill="#1f77b4" fill-opacity="${fmt(a * 0.85)}"/>`);
    });
    for (const d of data) parts.push(`<circle cx="${fmt(sx(d[0]!))}" cy="${fmt(sy(d[1]!))}" r="2" fill="#d62728" fill-opacity="0.6"/>`);
    parts.push(axisLabels(names[0]!, names[1]!, x0, x1, y0, y1));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>${parts.join('')}</svg>\n`;
}

function axisLabels(xName: string, yName: string, x0: number, x1: number, y0: number, y1: number): string {
  return [
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle" font-family="sans-serif" font-size="13">${esc(xName)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" transform="rotate(-90 14 ${H / 2})">${esc(yName)}</text>`,
    `<text x="${PAD}" y="${H - PAD + 18}" font-family="sans-serif" font-size="11">${tick(x0)}</text>`,
    `<text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end" font-family="sans-serif" font-size="11">${tick(x1)}</text>`,
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-family="sans-serif" font-size="11">${tick(y0)}</text>`,
    `<text x="${PAD - 4}" y="${PAD + 8}" text-anchor="end" font-family="sans-serif" font-size="11">${tick(y1)}</text>`,
  ].join('');
}

export { range as dataRange };
