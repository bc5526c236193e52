// The three pictures pmix draws, from numbers the caller computed (so any family can use
// them): a 1-D density curve with a rug of the data, a 2-D density as contour bands with the
// data as points, and a regression (a GP's mean and band with the data).
import { makeFrame, renderFrame, type Frame, type FrameSpec } from './frame.js';
import { isolineLayer } from './isoline.js';
import { areaPath, bandPath, densityLayer, linePath, pointsLayer, rugLayer, tileLayer, type FixedScale, type PointStyle } from './layers.js';
import { COLORS, px } from './svg-text.js';

export interface Marker {
  readonly at: readonly number[];
  readonly label?: string;
}

interface Common {
  readonly title?: string;
  readonly note?: string;
  readonly width?: number;
  readonly height?: number;
  /** Marked points (modes, component means): a cross and a label. */
  readonly markers?: readonly Marker[];
}

export interface Density1D extends Common {
  readonly name: string;
  readonly domain: readonly [number, number];
  /** The curve, evaluated densely over the domain. */
  readonly xs: ArrayLike<number>;
  readonly p: ArrayLike<number>;
  readonly data?: ArrayLike<number>;
  /** The y axis's title (default 'density of NAME'; 'probability' for a discrete variable). */
  readonly yLabel?: string;
  /** A whole-number variable: x ticks at whole numbers only. */
  readonly integer?: boolean;
}

export function density1dSvg(o: Density1D): string {
  let top = 0;
  for (let i = 0; i < o.p.length; i++) if (o.p[i]! > top && Number.isFinite(o.p[i]!)) top = o.p[i]!;
  const spec: FrameSpec = { ...o, x: { domain: o.domain, label: o.name, integer: o.integer === true }, y: { domain: [0, (top || 1) * 1.08], label: o.yLabel ?? `density of ${o.name}` } };
  const f = makeFrame(spec);
  const marks = (o.markers ?? []).map((m) => crossMark(f.x(m.at[0]!), f.y(m.at[1] ?? 0), m.label));
  return renderFrame(f, spec, {
    clipped: [areaPath(f, o.xs, o.p), linePath(f, o.xs, o.p), o.data ? rugLayer(f, o.data) : '', ...marks],
  });
}

export interface Density2D extends Common {
  readonly names: readonly [string, string];
  readonly domains: readonly [readonly [number, number], readonly [number, number]];
  /** The density at cell centres: values[j * nx + i], column i from the left, row j from the bottom. */
  readonly values: ArrayLike<number>;
  readonly nx: number;
  readonly ny: number;
  readonly points?: readonly (readonly number[])[];
  /** A colour per point (e.g. its most probable component); default one colour. */
  readonly pointColor?: (i: number) => string;
  /** The points' radius, opacity and outline (default small, translucent, white-edged). */
  readonly pointStyle?: PointStyle;
  /**
   * Whole-number variables, one cell per value pair (the domains run from min - 0.5 to
   * max + 0.5): tiles of the probabilities, labelled when there are few; no points (they
   * would all sit on the tiles' centres).
   */
  readonly discrete?: boolean;
  /** A fixed colour scale (a probability) instead of one relative to the peak. */
  readonly scale?: FixedScale;
  /** A level line drawn over the surface (a decision boundary: p = 0.5). */
  readonly isoline?: number;
}

export function density2dSvg(o: Density2D): string {
  const whole = o.discrete === true;
  const spec: FrameSpec = { ...o, x: { domain: o.domains[0], label: o.names[0], integer: whole }, y: { domain: o.domains[1], label: o.names[1], integer: whole } };
  const f = makeFrame(spec);
  const marks = (o.markers ?? []).map((m) => crossMark(f.x(m.at[0]!), f.y(m.at[1]!), m.label));
  return renderFrame(f, spec, {
    clipped: o.discrete ? [tileLayer(f, o.values, o.nx, o.ny, { labels: o.nx * o.ny <= 36 }), `<g class="markers">${marks.join('')}</g>`] : [
      densityLayer(f, o.values, o.nx, o.ny, o.scale ? { scale: o.scale } : {}),
      o.isoline === undefined ? '' : isolineLayer(f, o.values, o.nx, o.ny, o.isoline, { cls: 'boundary' }),
      o.points ? pointsLayer(f, o.points, { color: o.pointColor ?? COLORS.ink, r: 2.3, opacity: 0.65, ...o.pointStyle }) : '',
      `<g class="markers">${marks.join('')}</g>`,
    ],
  });
}

export interface Regression extends Common {
  readonly names: readonly [string, string];
  readonly domain: readonly [number, number];
  readonly xs: ArrayLike<number>;
  readonly mean: ArrayLike<number>;
  readonly lo: ArrayLike<number>;
  readonly hi: ArrayLike<number>;
  readonly points?: readonly (readonly number[])[];
  /** The y range; default: the band and the points inside the x domain. */
  readonly yDomain?: readonly [number, number];
  /** More marks in the frame (drawn over the band, under the points and the mean). */
  readonly layers?: (f: Frame) => readonly string[];
}

export function regressionSvg(o: Regression): string {
  let y0 = Infinity;
  let y1 = -Infinity;
  const see = (v: number): void => {
    if (Number.isFinite(v)) [y0, y1] = [Math.min(y0, v), Math.max(y1, v)];
  };
  for (let i = 0; i < o.xs.length; i++) [o.lo[i]!, o.hi[i]!, o.mean[i]!].forEach(see);
  for (const p of o.points ?? []) if (p[0]! >= o.domain[0] && p[0]! <= o.domain[1]) see(p[1]!);
  const pad = (y1 - y0 || 1) * 0.05;
  const spec: FrameSpec = { ...o, x: { domain: o.domain, label: o.names[0] }, y: { domain: o.yDomain ?? [y0 - pad, y1 + pad], label: o.names[1] } };
  const f = makeFrame(spec);
  return renderFrame(f, spec, {
    clipped: [bandPath(f, o.xs, o.lo, o.hi), ...(o.layers?.(f) ?? []), o.points ? pointsLayer(f, o.points, { r: 2.2 }) : '', linePath(f, o.xs, o.mean, { cls: 'mean' })],
  });
}

function crossMark(cx: number, cy: number, label?: string): string {
  const s = 6;
  const text = label ? `<text x="${px(cx + 9)}" y="${px(cy - 8)}" font-size="11.5" fill="${COLORS.mode}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${label.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</text>` : '';
  return `<path class="marker" d="M${px(cx - s)},${px(cy - s)}L${px(cx + s)},${px(cy + s)}M${px(cx - s)},${px(cy + s)}L${px(cx + s)},${px(cy - s)}" stroke="${COLORS.mode}" stroke-width="2.5"/>${text}`;
}
