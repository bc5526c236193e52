// The marks of a plot, each an SVG fragment in a frame's coordinates: lines and bands as one
// path each, points (only those inside the frame), rug ticks, and a density over a grid as
// filled contour bands (d3-contour): one merged path per level, so no seams between cells.
import { contours } from 'd3-contour';
import { scaleLinear } from 'd3-scale';
import type { Frame } from './frame.js';
import { COLORS, esc, px } from './svg-text.js';

/** A polyline through (xs[i], ys[i]); non-finite values break it into pieces. */
export function linePath(f: Frame, xs: ArrayLike<number>, ys: ArrayLike<number>, style: { color?: string; width?: number; cls?: string; dash?: string } = {}): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const ok = Number.isFinite(xs[i]!) && Number.isFinite(ys[i]!);
    if (ok) d += `${pen ? 'L' : 'M'}${px(f.x(xs[i]!))},${px(f.y(ys[i]!))}`;
    pen = ok;
  }
  return `<path class="${style.cls ?? 'line'}" d="${d}" fill="none" stroke="${style.color ?? COLORS.line}" stroke-width="${style.width ?? 2}" stroke-linejoin="round"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`;
}

/** The region between lo and hi over xs; a non-finite value splits it (one closed piece per run). */
export function bandPath(f: Frame, xs: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, style: { color?: string; opacity?: number; cls?: string } = {}): string {
  const pieces: string[] = [];
  let up: string[] = [];
  let down: string[] = [];
  const close = (): void => {
    if (up.length) pieces.push(`M${up.join('L')}L${down.reverse().join('L')}Z`);
    [up, down] = [[], []];
  };
  for (let i = 0; i < xs.length; i++) {
    if (![xs[i]!, lo[i]!, hi[i]!].every(Number.isFinite)) {
      close();
      continue;
    }
    up.push(`${px(f.x(xs[i]!))},${px(f.y(hi[i]!))}`);
    down.push(`${px(f.x(xs[i]!))},${px(f.y(lo[i]!))}`);
  }
  close();
  if (!pieces.length) return '';
  return `<path class="${style.cls ?? 'band'}" d="${pieces.join('')}" fill="${style.color ?? COLORS.band}" fill-opacity="${style.opacity ?? 0.2}" stroke="none"/>`;
}

/** The area under a curve down to y = 0 (a 1-D density). */
export function areaPath(f: Frame, xs: ArrayLike<number>, ys: ArrayLike<number>, style: { color?: string; opacity?: number } = {}): string {
  return bandPath(f, xs, Array.from(xs, () => 0), ys, { ...style, cls: 'area', opacity: style.opacity ?? 0.12 });
}

/** How points look: radius, fill opacity, outline (white by default; dark on a coloured surface). */
export interface PointStyle {
  readonly r?: number;
  readonly opacity?: number;
  readonly stroke?: string;
  readonly strokeWidth?: number;
}

/** Points as circles; those outside the frame's domain are left out. */
export function pointsLayer(f: Frame, pts: readonly (readonly number[])[], style: PointStyle & { color?: string | ((i: number) => string); cls?: string } = {}): string {
  const out: string[] = [];
  pts.forEach((p, i) => {
    const [a, b] = [p[0]!, p[1]!];
    if (!Number.isFinite(a) || !Number.isFinite(b) || !f.inside(a, b)) return;
    const c = typeof style.color === 'function' ? style.color(i) : (style.color ?? COLORS.data);
    out.push(`<circle cx="${px(f.x(a))}" cy="${px(f.y(b))}" r="${style.r ?? 2.4}" fill="${c}"/>`);
  });
  return `<g class="${style.cls ?? 'data'}" fill-opacity="${style.opacity ?? 0.7}" stroke="${style.stroke ?? '#ffffff'}" stroke-width="${style.strokeWidth ?? 0.4}">${out.join('')}</g>`;
}

/** Short ticks along the bottom of the frame at each value inside it (1-D data). */
export function rugLayer(f: Frame, xs: ArrayLike<number>, style: { color?: string } = {}): string {
  const [x0, x1] = f.x.domain() as [number, number];
  let d = '';
  for (let i = 0; i < xs.length; i++) if (xs[i]! >= x0 && xs[i]! <= x1) d += `M${px(f.x(xs[i]!))},${f.bottom}v-7`;
  return `<path class="rug" d="${d}" stroke="${style.color ?? COLORS.ink}" stroke-opacity="0.35" fill="none"/>`;
}

/** A fixed colour scale for a surface: bands between evenly spaced edges over the domain. */
export interface FixedScale {
  /** The values at the two ends of the scale (a probability: [0, 1]). */
  readonly domain: readonly [number, number];
  /** Colours spread evenly over the domain (interpolated between). */
  readonly colors: readonly string[];
  /** How many bands the domain is cut into (default 20). */
  readonly bands?: number;
}

/**
 * A surface on an nx x ny grid of cell centres over the frame's domain (values[j * nx + i]
 * at column i, row j from the bottom) as filled contour bands, light to dark, each level one
 * path. By default the levels are relative (a density: 1% of the peak and then tenths of it);
 * with `scale` they are fixed (a probability: the same colour means the same value in every
 * picture), each band painted the scale's colour at its middle.
 */
export function densityLayer(f: Frame, values: ArrayLike<number>, nx: number, ny: number, style: { color?: string; levels?: number; scale?: FixedScale } = {}): string {
  const vals = Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
  let thresholds: number[];
  let fill: (k: number) => string;
  if (style.scale) {
    const [a, b] = style.scale.domain;
    const n = style.scale.bands ?? 20;
    const cs = style.scale.colors;
    const colour = scaleLinear<string>().domain(cs.map((_, k) => a + (k / Math.max(1, cs.length - 1)) * (b - a))).range([...cs]).clamp(true);
    // The first edge a little under the domain's end, so values exactly at it are painted.
    thresholds = Array.from({ length: n }, (_, k) => (k === 0 ? a - 1e-9 * Math.max(1, Math.abs(a)) : a + (k / n) * (b - a)));
    fill = (k) => colour(a + ((k + 0.5) / n) * (b - a));
  } else {
    const top = Math.max(...vals);
    if (!(top > 0)) return '';
    const levels = style.levels ?? 9;
    thresholds = [0.01 * top, ...Array.from({ length: levels }, (_, k) => ((k + 1) / (levels + 1)) * top)];
    const shade = scaleLinear<string>().domain([0, thresholds.length - 1]).range(['#edf1fa', style.color ?? '#23498f']);
    fill = (k) => shade(k);
  }
  const [x0, x1] = f.x.domain() as [number, number];
  const [y0, y1] = f.y.domain() as [number, number];
  const gx = (c: number): string => px(f.x(x0 + (c / nx) * (x1 - x0)));
  const gy = (c: number): string => px(f.y(y0 + (c / ny) * (y1 - y0)));
  const paths = contours().size([nx, ny]).thresholds(thresholds)(vals).map((band, k) => {
    const d = band.coordinates.flatMap((poly) => poly.map((ring) => `M${ring.map(([a, b]) => `${gx(a!)},${gy(b!)}`).join('L')}Z`)).join('');
    return d ? `<path d="${d}" fill="${fill(k)}" fill-rule="evenodd"/>` : '';
  });
  return `<g class="density" data-levels="${esc(String(thresholds.length))}">${paths.join('')}</g>`;
}

/** The cell centres of an n-cell grid over [a, b] (what densityLayer expects). */
export function cellCentres(a: number, b: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => a + ((i + 0.5) / n) * (b - a));
}

/**
 * A discrete density (whole-number variables): one tile per cell, separated by a small gap on
 * purpose (the cells are separate values, not a sampled surface), shaded as densityLayer's
 * bands; with few tiles each is labelled with its value.
 */
export function tileLayer(f: Frame, values: ArrayLike<number>, nx: number, ny: number, style: { color?: string; labels?: boolean } = {}): string {
  const vals = Array.from(values, (v) => (Number.isFinite(v) ? v : 0));
  const top = Math.max(...vals);
  if (!(top > 0)) return '';
  const shade = scaleLinear<string>().domain([0, 1]).range(['#edf1fa', style.color ?? '#23498f']);
  const [x0, x1] = f.x.domain() as [number, number];
  const [y0, y1] = f.y.domain() as [number, number];
  const w = (f.x(x1) - f.x(x0)) / nx;
  const h = (f.y(y0) - f.y(y1)) / ny;
  const gap = Math.min(2, w * 0.08, h * 0.08);
  const out: string[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const v = vals[j * nx + i]!;
      if (v < 0.005 * top) continue;
      const x = f.x(x0) + i * w;
      const y = f.y(y0) - (j + 1) * h;
      out.push(`<rect x="${px(x + gap / 2)}" y="${px(y + gap / 2)}" width="${px(w - gap)}" height="${px(h - gap)}" fill="${shade(Math.sqrt(v / top))}"/>`);
      if (style.labels) {
        const dark = v / top > 0.45;
        out.push(`<text x="${px(x + w / 2)}" y="${px(y + h / 2 + 4)}" text-anchor="middle" font-size="12" fill="${dark ? '#ffffff' : COLORS.ink}">${esc(Number(v.toPrecision(3)).toString())}</text>`);
      }
    }
  return `<g class="tiles">${out.join('')}</g>`;
}
