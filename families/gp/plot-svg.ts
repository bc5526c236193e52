// An SVG of a fitted one-input Gaussian process, as text (no DOM): the data as points, the
// posterior mean as a line and its 95% band (mean +- 1.96 sd of f) shaded, over the data's
// range widened on both sides so extrapolation shows.
import { gpNode } from '../../runtime/gp/fit.js';
import { predict, trainingData } from '../../runtime/gp/predict.js';
import type { ModelState } from '../../runtime/state.js';

const W = 640;
const H = 400;
const PAD = 52;
const GRID = 300;

const fmt = (v: number): string => Number(v.toPrecision(5)).toString();
const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `points` are [x, y] pairs (the training data by default, for exact GPs); `span` the x range. */
export function plotGp(state: ModelState, opts: { points?: readonly (readonly number[])[]; span?: readonly [number, number] } = {}): string {
  const node = gpNode(state.graph);
  if (node.inputs.length !== 1) throw new Error(`plotting needs a GP with one input; this one has ${node.inputs.length}`);
  const multi = (node.outputs?.length ?? 1) > 1;
  let pts = opts.points ? [...opts.points] : [];
  if (!opts.points && node.inference.kind === 'exact' && node.inference.train) {
    const d = trainingData(state);
    for (let i = 0; i < d.n; i++) if (d.task[i] === 0) pts.push([d.x[i * d.stride]!, d.y[i]!]);
  }
  pts = pts.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  let [x0, x1] = opts.span ?? [Math.min(...pts.map((p) => p[0]!)), Math.max(...pts.map((p) => p[0]!))];
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) [x0, x1] = [0, 1];
  if (!opts.span) {
    const pad = (x1 - x0 || 1) * 0.15;
    x0 -= pad;
    x1 += pad;
  }
  const xs = new Float64Array(GRID * (multi ? 2 : 1));
  for (let i = 0; i < GRID; i++) xs[i * (multi ? 2 : 1)] = x0 + ((x1 - x0) * i) / (GRID - 1);
  const p = predict(state, xs, GRID);
  const lo = Array.from(p.mean, (m, i) => m - 1.96 * Math.sqrt(p.varF[i]!));
  const hi = Array.from(p.mean, (m, i) => m + 1.96 * Math.sqrt(p.varF[i]!));
  const ys = [...lo, ...hi, ...pts.map((q) => q[1]!)];
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  const ypad = (y1 - y0 || 1) * 0.05;
  y0 -= ypad;
  y1 += ypad;
  const sx = (x: number): string => fmt(PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD));
  const sy = (y: number): string => fmt(H - PAD - ((y - y0) / (y1 - y0)) * (H - 2 * PAD));
  const grid = Array.from({ length: GRID }, (_, i) => x0 + ((x1 - x0) * i) / (GRID - 1));
  const band = `M${grid.map((x, i) => `${sx(x)},${sy(hi[i]!)}`).join('L')}L${grid.map((x, i) => `${sx(x)},${sy(lo[i]!)}`).reverse().join('L')}Z`;
  const line = `M${grid.map((x, i) => `${sx(x)},${sy(p.mean[i]!)}`).join('L')}`;
  const xName = state.graph.vars[node.inputs[0]!]!.name;
  const yName = state.graph.vars[node.output]!.name;
  const parts = [
    `<path d="${band}" fill="#1f77b4" fill-opacity="0.2" stroke="none"/>`,
    `<path d="${line}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    ...pts.map((q) => `<circle cx="${sx(q[0]!)}" cy="${sy(q[1]!)}" r="2.2" fill="#d62728" fill-opacity="0.7"/>`),
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-family="sans-serif" font-size="13">${esc(xName)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" transform="rotate(-90 14 ${H / 2})">${esc(yName)}</text>`,
    `<text x="${PAD}" y="${H - PAD + 18}" font-family="sans-serif" font-size="11">${fmt(x0)}</text>`,
    `<text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(x1)}</text>`,
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(y0)}</text>`,
    `<text x="${PAD - 4}" y="${PAD + 8}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(y1)}</text>`,
    `<text x="${W - PAD}" y="${PAD - 8}" text-anchor="end" font-family="sans-serif" font-size="12">mean and 95% band of f; points: data</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>${parts.join('')}</svg>\n`;
}
