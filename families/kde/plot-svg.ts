// An SVG of a fitted KDE over its first one or two real variables, as text (no DOM): the
// density (a curve in 1-D; a shaded grid in 2-D, the other variables marginalized), the
// training points, and the modes (mean shift) marked with their masses.
import type { ModelState } from '../../runtime/state.js';
import { defaultStarts } from './answer.js';
import { logDensity } from './direct.js';
import { kdeOf } from './fitted-graph.js';
import { meanShift } from './mean-shift.js';
import { marginal } from './queries.js';

const W = 560;
const H = 420;
const PAD = 52;
const GRID = 70;
const MAX_DOTS = 3000;

const fmt = (v: number): string => Number(v.toPrecision(4)).toString();
const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

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
    const pad = (hi - lo || 1) * 0.12 + 2 * Math.sqrt(kde.H[a * kde.d + a]!);
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = opts.span ?? range(0);
  const sx = (x: number): number => PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD);
  const parts: string[] = [];
  const dotsEvery = Math.max(1, Math.ceil(kde.n / MAX_DOTS));
  let modes: { point: Float64Array; mass: number }[] = [];
  try {
    modes = [...meanShift(kde, { starts: defaultStarts(kde.n), seed: 1 }).modes];
  } catch {
    modes = []; // a kernel without modes (tophat): the picture goes without them
  }
  let yLabel: string;
  let ys: [number, number];
  if (kde.d === 1) {
    const xs = Float64Array.from({ length: 240 }, (_, i) => x0 + ((x1 - x0) * i) / 239);
    const p = Array.from(logDensity(kde, xs), Math.exp);
    const top = Math.max(...p, 1e-300);
    ys = [0, top];
    const sy = (y: number): number => H - PAD - (y / top) * (H - 2 * PAD);
    parts.push(`<path d="${Array.from(xs, (x, i) => `${i ? 'L' : 'M'}${fmt(sx(x))},${fmt(sy(p[i]!))}`).join('')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
    for (let i = 0; i < kde.n; i += dotsEvery) parts.push(`<line x1="${fmt(sx(kde.x[i]!))}" x2="${fmt(sx(kde.x[i]!))}" y1="${H - PAD}" y2="${H - PAD + 6}" stroke="#555" stroke-opacity="0.4"/>`);
    for (const m of modes) {
      const y = Math.exp(logDensity(kde, m.point)[0]!);
      parts.push(`<circle cx="${fmt(sx(m.point[0]!))}" cy="${fmt(sy(y))}" r="5" fill="#d62728"/><text x="${fmt(sx(m.point[0]!) + 8)}" y="${fmt(sy(y) - 6)}" font-size="12" fill="#d62728">${fmt(m.point[0]!)} (mass ${fmt(m.mass)})</text>`);
    }
    yLabel = `p(${names[0]})`;
  } else {
    const [y0, y1] = range(1);
    ys = [y0, y1];
    const sy = (y: number): number => H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD);
    const q = new Float64Array(GRID * GRID * 2);
    for (let i = 0; i < GRID; i++)
      for (let j = 0; j < GRID; j++) {
        q[(i * GRID + j) * 2] = x0 + ((x1 - x0) * (i + 0.5)) / GRID;
        q[(i * GRID + j) * 2 + 1] = y0 + ((y1 - y0) * (j + 0.5)) / GRID;
      }
    const p = Array.from(logDensity(kde, q), Math.exp);
    const top = Math.max(...p, 1e-300);
    const cw = (W - 2 * PAD) / GRID;
    const ch = (H - 2 * PAD) / GRID;
    p.forEach((v, k) => {
      const a = v / top;
      if (a < 0.01) return;
      const i = Math.floor(k / GRID);
      const j = k % GRID;
      parts.push(`<rect x="${fmt(PAD + i * cw)}" y="${fmt(H - PAD - (j + 1) * ch)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill="#1f77b4" fill-opacity="${fmt(a * 0.85)}"/>`);
    });
    for (let i = 0; i < kde.n; i += dotsEvery) parts.push(`<circle cx="${fmt(sx(kde.x[i * 2]!))}" cy="${fmt(sy(kde.x[i * 2 + 1]!))}" r="1.8" fill="#333" fill-opacity="0.6"/>`);
    for (const m of modes) {
      const [mx, my] = [sx(m.point[0]!), sy(m.point[1]!)];
      parts.push(`<path d="M${fmt(mx - 6)},${fmt(my - 6)}L${fmt(mx + 6)},${fmt(my + 6)}M${fmt(mx - 6)},${fmt(my + 6)}L${fmt(mx + 6)},${fmt(my - 6)}" stroke="#d62728" stroke-width="3"/><text x="${fmt(mx + 9)}" y="${fmt(my - 8)}" font-size="12" fill="#d62728">(${fmt(m.point[0]!)}, ${fmt(m.point[1]!)}) mass ${fmt(m.mass)}</text>`);
    }
    yLabel = names[1]!;
  }
  const axes = [
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#999"/>`,
    `<text x="${W / 2}" y="${H - 12}" font-size="13" text-anchor="middle">${esc(names[0]!)} [${fmt(x0)}, ${fmt(x1)}]</text>`,
    `<text x="14" y="${H / 2}" font-size="13" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(yLabel)} [${fmt(ys[0])}, ${fmt(ys[1])}]</text>`,
    `<text x="${W / 2}" y="22" font-size="14" text-anchor="middle">${esc(`kernel density (${kde.kernel}), ${modes.length} mode${modes.length === 1 ? '' : 's'} (x)`)}</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>${parts.join('')}${axes.join('')}</svg>\n`;
}
