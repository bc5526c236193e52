// An SVG decision map of a fitted two-input GP classifier (bernoulli likelihood), as text: the
// class probability p over a grid of the inputs' range (widened by 10%) as shaded cells (blue
// for p -> 0, white at 0.5, red for p -> 1), the p = 0.5 boundary traced by marching squares,
// and the training points coloured by label.
import { gpNode } from '../../runtime/gp/fit.js';
import { predict, trainingData } from '../../runtime/gp/predict.js';
import type { ModelState } from '../../runtime/state.js';

const W = 560;
const H = 560;
const PAD = 52;
const CELLS = 60;

const fmt = (v: number): string => Number(v.toPrecision(5)).toString();
const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

function colour(p: number): string {
  // Blue (0) -> white (0.5) -> red (1).
  const t = Math.min(1, Math.max(0, p));
  const mix = (a: number, b: number, u: number): number => Math.round(a + (b - a) * u);
  const [r, g, b] = t < 0.5 ? [mix(31, 255, t * 2), mix(119, 255, t * 2), mix(180, 255, t * 2)] : [mix(255, 214, (t - 0.5) * 2), mix(255, 39, (t - 0.5) * 2), mix(255, 40, (t - 0.5) * 2)];
  return `rgb(${r},${g},${b})`;
}

export function plotClassifier(state: ModelState): string {
  const node = gpNode(state.graph);
  if (node.inputs.length !== 2 || node.likelihood?.name !== 'bernoulli') throw new Error('a decision map needs a GP classifier (bernoulli likelihood) with two inputs');
  const d = trainingData(state);
  const range = (c: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.n; i++) {
      lo = Math.min(lo, d.x[i * d.stride + c]!);
      hi = Math.max(hi, d.x[i * d.stride + c]!);
    }
    const pad = (hi - lo || 1) * 0.1;
    return [lo - pad, hi + pad];
  };
  const [a0, a1] = range(0);
  const [b0, b1] = range(1);
  // Probabilities at the cell corners (CELLS + 1 per side): corners give the contour, centres' averages the shading.
  const N = CELLS + 1;
  const xs = new Float64Array(N * N * 2);
  for (let j = 0; j < N; j++) {
    for (let i = 0; i < N; i++) {
      xs[(j * N + i) * 2] = a0 + ((a1 - a0) * i) / CELLS;
      xs[(j * N + i) * 2 + 1] = b0 + ((b1 - b0) * j) / CELLS;
    }
  }
  const p = predict(state, xs, N * N).meanY!;
  const sx = (a: number): number => PAD + ((a - a0) / (a1 - a0)) * (W - 2 * PAD);
  const sy = (b: number): number => H - PAD - ((b - b0) / (b1 - b0)) * (H - 2 * PAD);
  const cw = (W - 2 * PAD) / CELLS;
  const ch = (H - 2 * PAD) / CELLS;
  const cells: string[] = [];
  const segs: string[] = [];
  const at = (i: number, j: number): number => p[j * N + i]!;
  for (let j = 0; j < CELLS; j++) {
    for (let i = 0; i < CELLS; i++) {
      const c = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      const mean = (c[0]! + c[1]! + c[2]! + c[3]!) / 4;
      cells.push(`<rect x="${fmt(PAD + i * cw)}" y="${fmt(H - PAD - (j + 1) * ch)}" width="${fmt(cw + 0.3)}" height="${fmt(ch + 0.3)}" fill="${colour(mean)}"/>`);
      // Marching squares on p - 0.5: the crossing points on the cell's edges, joined in pairs.
      const corners: [number, number][] = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
      const cross: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const u = c[e]! - 0.5;
        const v = c[(e + 1) % 4]! - 0.5;
        if ((u < 0) !== (v < 0)) {
          const t = u / (u - v);
          const [ci, cj] = corners[e]!;
          const [di, dj] = corners[(e + 1) % 4]!;
          cross.push([a0 + ((a1 - a0) * (ci + t * (di - ci))) / CELLS, b0 + ((b1 - b0) * (cj + t * (dj - cj))) / CELLS]);
        }
      }
      for (let k = 0; k + 1 < cross.length; k += 2) segs.push(`M${fmt(sx(cross[k]![0]))},${fmt(sy(cross[k]![1]))}L${fmt(sx(cross[k + 1]![0]))},${fmt(sy(cross[k + 1]![1]))}`);
    }
  }
  const aName = state.graph.vars[node.inputs[0]!]!.name;
  const bName = state.graph.vars[node.inputs[1]!]!.name;
  const yName = state.graph.vars[node.output]!.name;
  const pts: string[] = [];
  for (let i = 0; i < d.n; i++) {
    pts.push(`<circle cx="${fmt(sx(d.x[i * d.stride]!))}" cy="${fmt(sy(d.x[i * d.stride + 1]!))}" r="3" fill="${d.y[i] === 1 ? '#d62728' : '#1f77b4'}" stroke="#222" stroke-width="0.6"/>`);
  }
  const parts = [
    ...cells,
    `<path d="${segs.join('')}" fill="none" stroke="#111" stroke-width="1.8"/>`,
    ...pts,
    `<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-family="sans-serif" font-size="13">${esc(aName)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-family="sans-serif" font-size="13" transform="rotate(-90 14 ${H / 2})">${esc(bName)}</text>`,
    `<text x="${PAD}" y="${H - PAD + 18}" font-family="sans-serif" font-size="11">${fmt(a0)}</text>`,
    `<text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(a1)}</text>`,
    `<text x="${PAD - 4}" y="${H - PAD}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(b0)}</text>`,
    `<text x="${PAD - 4}" y="${PAD + 8}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(b1)}</text>`,
    `<text x="${W - PAD}" y="${PAD - 8}" text-anchor="end" font-family="sans-serif" font-size="12">p(${esc(yName)} = 1): blue 0, white 0.5, red 1; line: p = 0.5</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect width="${W}" height="${H}" fill="white"/>${parts.join('')}</svg>\n`;
}
