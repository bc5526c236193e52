// A hand-written SVG plot of a fitted model over two numeric variables: the model's marginal
// density p(x, y) as a shaded grid (other variables integrated out), the data colored by their
// most probable component, and each component's mean marked with a cross.
import type { Cell, Model } from '../api/browser.js';

const W = 520;
const H = 400;
const PAD = 44;
const GRID = 40;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (v: number): string => Number(v.toPrecision(4)).toString();

export function plotModel(model: Model, rows: readonly Record<string, Cell>[], x: string, y: string): SVGSVGElement {
  const pts = rows.filter((r) => typeof r[x] === 'number' && typeof r[y] === 'number');
  const xs = pts.map((r) => r[x] as number);
  const ys = pts.map((r) => r[y] as number);
  const range = (v: number[]): [number, number] => {
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const pad = (hi - lo || 1) * 0.08;
    return [lo - pad, hi + pad];
  };
  const [x0, x1] = range(xs.length ? xs : [0, 1]);
  const [y0, y1] = range(ys.length ? ys : [0, 1]);
  const sx = (v: number): number => PAD + ((v - x0) / (x1 - x0)) * (W - 2 * PAD);
  const sy = (v: number): number => H - PAD - ((v - y0) / (y1 - y0)) * (H - 2 * PAD);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `p(${x}, ${y})` }) as SVGSVGElement;

  // Density grid: log p(x, y) with every other variable marginalized.
  const grid: Record<string, number>[] = [];
  for (let i = 0; i < GRID; i++)
    for (let j = 0; j < GRID; j++) grid.push({ [x]: x0 + ((i + 0.5) / GRID) * (x1 - x0), [y]: y0 + ((j + 0.5) / GRID) * (y1 - y0) });
  const logp = model.logProb(grid);
  const max = Math.max(...logp);
  const cw = (W - 2 * PAD) / GRID;
  const ch = (H - 2 * PAD) / GRID;
  const shade = el('g', { class: 'density' });
  grid.forEach((g, k) => {
    const a = Math.exp(logp[k]! - max);
    if (a > 0.01) shade.append(el('rect', { x: sx(g[x]!) - cw / 2, y: sy(g[y]!) - ch / 2, width: cw + 0.5, height: ch + 0.5, fill: '#5b3fa8', 'fill-opacity': (0.55 * a).toFixed(3) }));
  });
  svg.append(shade);

  // Data, colored by the most probable component (when the root is a mixture).
  let best: number[] = [];
  try {
    best = model.posterior(pts).map((p) => p.indexOf(Math.max(...p)));
  } catch {
    best = [];
  }
  const dots = el('g', { class: 'data' });
  pts.forEach((r, i) => dots.append(el('circle', { cx: sx(r[x] as number), cy: sy(r[y] as number), r: 2.6, fill: COLORS[(best[i] ?? 0) % COLORS.length]!, 'fill-opacity': 0.75 })));
  svg.append(dots);

  // Component means of the marginal p(x, y).
  const marginal = model.condition([x, y], {});
  const means = el('g', { class: 'means' });
  if (marginal.kind === 'distribution') {
    marginal.components?.forEach((c, k) => {
      const [mx, my] = [sx(c.mean[0]!), sy(c.mean[1]!)];
      const stroke = { stroke: COLORS[k % COLORS.length]!, 'stroke-width': 3 };
      means.append(el('path', { d: `M${mx - 7},${my - 7}L${mx + 7},${my + 7}M${mx - 7},${my + 7}L${mx + 7},${my - 7}`, ...stroke }));
      means.append(el('ellipse', { cx: mx, cy: my, rx: (c.sd[0]! / (x1 - x0)) * (W - 2 * PAD), ry: (c.sd[1]! / (y1 - y0)) * (H - 2 * PAD), fill: 'none', ...stroke, 'stroke-width': 1.2, 'stroke-dasharray': '4 3' }));
    });
  }
  svg.append(means);

  // Axes.
  const axes = el('g', { class: 'axes', stroke: '#444', fill: '#444', 'font-size': 11 });
  axes.append(el('path', { d: `M${PAD},${PAD / 2}V${H - PAD}H${W - PAD / 2}`, fill: 'none' }));
  for (let t = 0; t <= 4; t++) {
    const vx = x0 + (t / 4) * (x1 - x0);
    const vy = y0 + (t / 4) * (y1 - y0);
    axes.append(el('text', { x: sx(vx), y: H - PAD + 16, 'text-anchor': 'middle', stroke: 'none' }, fmt(vx)));
    axes.append(el('text', { x: PAD - 4, y: sy(vy) + 4, 'text-anchor': 'end', stroke: 'none' }, fmt(vy)));
  }
  axes.append(el('text', { x: W / 2, y: H - 6, 'text-anchor': 'middle', stroke: 'none' }, x));
  axes.append(el('text', { x: 12, y: H / 2, transform: `rotate(-90 12 ${H / 2})`, 'text-anchor': 'middle', stroke: 'none' }, y));
  svg.append(axes);
  return svg;
}
