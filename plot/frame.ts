// A plot's frame: the two linear scales (d3-scale), the plot area, the axes with real ticks
// and tick labels on both sides, and the SVG document around the layers. Everything drawn
// inside the plot area is clipped to it, so a frame narrower than the data shows no strays.
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { COLORS, esc, FONT, px } from './svg-text.js';

export interface AxisSpec {
  /** The values at the two ends of the axis (exactly: the frame is not widened). */
  readonly domain: readonly [number, number];
  readonly label: string;
  /** About how many ticks (d3 picks round values). */
  readonly ticks?: number;
  /** A whole-number variable: ticks only at whole numbers. */
  readonly integer?: boolean;
}

export interface FrameSpec {
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly title?: string;
  /** A second line under the title, smaller: what the marks mean. */
  readonly note?: string;
  readonly width?: number;
  readonly height?: number;
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly x: ScaleLinear<number, number>;
  readonly y: ScaleLinear<number, number>;
  /** Whether a data point lies inside the frame's domain. */
  inside(x: number, y: number): boolean;
  /** The id of the clip path of the plot area (unique within a page). */
  readonly clipId: string;
}

let frames = 0;

/** A frame for the spec; a degenerate or reversed domain is widened around its value. */
export function makeFrame(spec: FrameSpec): Frame {
  const width = spec.width ?? 640;
  const height = spec.height ?? 420;
  const left = 70;
  const right = width - 24;
  const top = spec.title ? (spec.note ? 58 : 40) : 18;
  const bottom = height - 52;
  const x = scaleLinear().domain(proper(spec.x.domain)).range([left, right]);
  const y = scaleLinear().domain(proper(spec.y.domain)).range([bottom, top]);
  const [x0, x1] = x.domain() as [number, number];
  const [y0, y1] = y.domain() as [number, number];
  return {
    width, height, left, right, top, bottom, x, y,
    inside: (a, b) => a >= x0 && a <= x1 && b >= y0 && b <= y1,
    clipId: `pmix-plot-${++frames}`,
  };
}

function proper([a, b]: readonly [number, number]): [number, number] {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [0, 1];
  if (a < b) return [a, b];
  const c = (a + b) / 2;
  const h = Math.abs(c) * 0.05 || 0.5;
  return [c - h, c + h];
}

/** The whole SVG document: background, grid, the clipped layers, points on top, axes, labels. */
export function renderFrame(f: Frame, spec: FrameSpec, layers: { clipped?: readonly string[]; free?: readonly string[] }): string {
  const xt = ticksOf(f.x, spec.x, 7);
  const yt = ticksOf(f.y, spec.y, 6);
  const xf = tickFormat(f.x, xt, spec.x.ticks ?? 7);
  const yf = tickFormat(f.y, yt, spec.y.ticks ?? 6);
  const grid = [
    ...xt.map((t) => `M${px(f.x(t))},${f.top}V${f.bottom}`),
    ...yt.map((t) => `M${f.left},${px(f.y(t))}H${f.right}`),
  ].join('');
  const tickMarks = [...xt.map((t) => `M${px(f.x(t))},${f.bottom}v5`), ...yt.map((t) => `M${f.left},${px(f.y(t))}h-5`)].join('');
  const xLabels = xt.map((t) => `<text x="${px(f.x(t))}" y="${f.bottom + 18}" text-anchor="middle">${esc(xf(t))}</text>`).join('');
  const yLabels = yt.map((t) => `<text x="${f.left - 8}" y="${px(f.y(t) + 4)}" text-anchor="end">${esc(yf(t))}</text>`).join('');
  const midY = (f.top + f.bottom) / 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="${esc(FONT)}">`,
    `<defs><clipPath id="${f.clipId}"><rect x="${f.left}" y="${f.top}" width="${f.right - f.left}" height="${f.bottom - f.top}"/></clipPath></defs>`,
    `<rect width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
    `<path class="grid" d="${grid}" stroke="${COLORS.grid}" stroke-width="1" fill="none"/>`,
    `<g class="layers" clip-path="url(#${f.clipId})">${(layers.clipped ?? []).join('')}</g>`,
    ...(layers.free ?? []),
    `<g class="axes" fill="${COLORS.muted}" font-size="11">`,
    `<path d="M${f.left},${f.top}V${f.bottom}H${f.right}${tickMarks}" stroke="${COLORS.axis}" fill="none"/>`,
    `<g class="x-ticks">${xLabels}</g><g class="y-ticks">${yLabels}</g>`,
    `<text x="${px((f.left + f.right) / 2)}" y="${f.height - 12}" text-anchor="middle" font-size="13" fill="${COLORS.ink}">${esc(spec.x.label)}</text>`,
    `<text x="16" y="${px(midY)}" text-anchor="middle" font-size="13" fill="${COLORS.ink}" transform="rotate(-90 16 ${px(midY)})">${esc(spec.y.label)}</text>`,
    '</g>',
  ];
  if (spec.title) parts.push(`<text class="title" x="${f.left}" y="24" font-size="15" font-weight="600" fill="${COLORS.ink}">${esc(spec.title)}</text>`);
  if (spec.note) parts.push(`<text class="note" x="${f.left}" y="44" font-size="11.5" fill="${COLORS.muted}">${esc(spec.note)}</text>`);
  parts.push('</svg>\n');
  return parts.join('');
}

/**
 * Tick labels as d3 formats them, without thousands separators (years read 2010, not 2,010):
 * plain decimals, exponents for tiny values (densities of large-unit data), SI for millions.
 */
function tickFormat(scale: ScaleLinear<number, number>, ticks: readonly number[], count: number): (v: number) => string {
  const big = Math.max(0, ...ticks.map(Math.abs));
  const spec = big >= 1e6 ? '~s' : big > 0 && big < 1e-3 ? '~g' : '~f';
  return scale.tickFormat(count, spec);
}

/** d3's ticks; for a whole-number axis only the whole ones (every whole number when d3's step is below 1). */
function ticksOf(scale: ScaleLinear<number, number>, axis: AxisSpec, count: number): number[] {
  const t = scale.ticks(axis.ticks ?? count);
  if (!axis.integer) return t;
  const whole = t.filter(Number.isInteger);
  if (whole.length >= 2) return whole;
  const [a, b] = scale.domain() as [number, number];
  return Array.from({ length: Math.max(0, Math.floor(b) - Math.ceil(a) + 1) }, (_, i) => Math.ceil(a) + i);
}
