// An SVG of a fitted one-input mixture of experts, as text (no DOM): the predictive mixture's
// mean and its 2.5%-97.5% quantile band, and each expert's mean and 95% band (mean -/+ 1.96 sd)
// drawn where the gate gives it at least 10% of the weight; data points (GP experts' stored ones).
import type { ModelState } from '../../runtime/state.js';
import { GP_TRAIN_X, GP_TRAIN_Y } from './expert-gp.js';
import { expertMoments, modelOf } from './model.js';
import { mixtureAt, mixtureMean, mixtureQuantile } from './predictive.js';
import { moeNode } from './spec.js';

const W = 640;
const H = 400;
const PAD = 52;
const GRID = 240;
const COLORS = ['#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const fmt = (v: number): string => Number(v.toPrecision(5)).toString();
const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function plotMoe(state: ModelState, opts: { points?: readonly (readonly number[])[]; span?: readonly [number, number]; output?: number } = {}): string {
  const m = modelOf(state);
  const { K, P, D } = m.spec;
  if (D !== 1) throw new Error(`plotting needs a mixture of experts with one input; this one has ${D}`);
  const p = opts.output ?? 0;
  const range = moeNode(state.graph).options.input_range as readonly number[] | undefined;
  // GP experts store their training points: drawn unless points are given
  const tx = state.values.get(GP_TRAIN_X);
  const ty = state.values.get(GP_TRAIN_Y);
  const stored = tx && ty && p === 0 ? Array.from(ty, (y, i) => [tx[i]!, y]) : [];
  const pts = (opts.points ?? stored).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
  let [x0, x1] = opts.span ?? (pts.length ? [Math.min(...pts.map((q) => q[0]!)), Math.max(...pts.map((q) => q[0]!))] : range ? [range[0]!, range[1]!] : [0, 1]);
  if (!opts.span) {
    const pad = (x1 - x0 || 1) * 0.05;
    x0 -= pad;
    x1 += pad;
  }
  const grid = Array.from({ length: GRID }, (_, i) => x0 + ((x1 - x0) * i) / (GRID - 1));
  const mixes = grid.map((x) => mixtureAt(m, [x]));
  const mean = mixes.map((mx) => mixtureMean(mx, K, P, p));
  const lo = mixes.map((mx) => mixtureQuantile(mx, K, P, p, 0.025));
  const hi = mixes.map((mx) => mixtureQuantile(mx, K, P, p, 0.975));
  const mom = expertMoments(m, Float64Array.from(grid), GRID);
  const ex = Array.from({ length: K }, (_, k) => grid.map((_x, i) => {
    const mu = mom.mean[(i * K + k) * P + p]!;
    const s = 1.96 * Math.sqrt(mom.vars[(i * K + k) * P + p]!);
    return { mu, lo: mu - s, hi: mu + s, on: mixes[i]!.weights[k]! >= 0.1 };
  }));
  const ys = [...lo, ...hi, ...pts.map((q) => q[1]!), ...ex.flatMap((e) => e.filter((v) => v.on).flatMap((v) => [v.lo, v.hi]))];
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  const ypad = (y1 - y0 || 1) * 0.05;
  y0 -= ypad;
  y1 += ypad;
  const sx = (x: number): string => fmt(PAD + ((x - x0) / (x1 - x0)) * (W - 2 * PAD));
  const sy = (y: number): string => fmt(H - PAD - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * (H - 2 * PAD));
  const band = (top: number[], bottom: number[], idx: number[]): string => `M${idx.map((i) => `${sx(grid[i]!)},${sy(top[i]!)}`).join('L')}L${idx.map((i) => `${sx(grid[i]!)},${sy(bottom[i]!)}`).reverse().join('L')}Z`;
  /** Runs of consecutive grid indices where an expert is drawn. */
  const runs = (on: boolean[]): number[][] => {
    const out: number[][] = [];
    on.forEach((v, i) => {
      if (!v) return;
      if (i > 0 && on[i - 1]) out[out.length - 1]!.push(i);
      else out.push([i]);
    });
    return out;
  };
  const all = grid.map((_, i) => i);
  const parts: string[] = [`<path d="${band(hi, lo, all)}" fill="#1f77b4" fill-opacity="0.15" stroke="none"/>`];
  ex.forEach((e, k) => {
    const c = COLORS[k % COLORS.length]!;
    for (const r of runs(e.map((v) => v.on))) {
      parts.push(`<path d="${band(e.map((v) => v.hi), e.map((v) => v.lo), r)}" fill="${c}" fill-opacity="0.15" stroke="none"/>`);
      parts.push(`<path d="M${r.map((i) => `${sx(grid[i]!)},${sy(e[i]!.mu)}`).join('L')}" fill="none" stroke="${c}" stroke-width="1.5" stroke-dasharray="5,3"/>`);
    }
  });
  parts.push(`<path d="M${all.map((i) => `${sx(grid[i]!)},${sy(mean[i]!)}`).join('L')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  for (const q of pts) parts.push(`<circle cx="${sx(q[0]!)}" cy="${sy(q[1]!)}" r="2.2" fill="#d62728" fill-opacity="0.7"/>`);
  const xName = state.graph.vars[m.spec.inputs[0]!]!.name;
  const yName = state.graph.vars[m.spec.outputs[p]!]!.name;
  parts.push(
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-family="sans-serif" font-size="13">${esc(xName)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" transform="rotate(-90 14 ${H / 2})">${esc(yName)}</text>`,
    `<text x="${PAD}" y="${H - PAD + 18}" font-family="sans-serif" font-size="11">${fmt(x0)}</text>`,
    `<text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(x1)}</text>`,
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(y0)}</text>`,
    `<text x="${PAD - 4}" y="${PAD + 8}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(y1)}</text>`,
    `<text x="${W - PAD}" y="${PAD - 8}" text-anchor="end" font-family="sans-serif" font-size="12">mixture mean and 95% band; dashed: experts (gate 10%+)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>${parts.join('')}</svg>\n`;
}
