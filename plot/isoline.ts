// One level line of a surface on a grid of cell centres (a classifier's p = 0.5 boundary), by
// marching squares: in each square of four neighbouring centres, the points where the value
// crosses the level on its edges (linearly interpolated), joined in pairs. A line, not a
// filled contour, so the frame's edge is not drawn as part of it.
import type { Frame } from './frame.js';
import { COLORS, px } from './svg-text.js';

/** values[j * nx + i] at the centre of column i, row j from the bottom, over the frame's domain. */
export function isolineLayer(f: Frame, values: ArrayLike<number>, nx: number, ny: number, level: number, style: { color?: string; width?: number; cls?: string } = {}): string {
  const [x0, x1] = f.x.domain() as [number, number];
  const [y0, y1] = f.y.domain() as [number, number];
  const cx = (i: number): number => x0 + ((i + 0.5) / nx) * (x1 - x0);
  const cy = (j: number): number => y0 + ((j + 0.5) / ny) * (y1 - y0);
  const at = (i: number, j: number): number => values[j * nx + i]! - level;
  let d = '';
  for (let j = 0; j + 1 < ny; j++)
    for (let i = 0; i + 1 < nx; i++) {
      const corners: [number, number][] = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
      const v = corners.map(([a, b]) => at(a, b));
      if (!v.every(Number.isFinite)) continue;
      const cross: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const u = v[e]!;
        const w = v[(e + 1) % 4]!;
        if (u < 0 === w < 0) continue;
        const t = u / (u - w);
        const [ai, aj] = corners[e]!;
        const [bi, bj] = corners[(e + 1) % 4]!;
        cross.push([cx(ai + t * (bi - ai)), cy(aj + t * (bj - aj))]);
      }
      for (let k = 0; k + 1 < cross.length; k += 2) d += `M${px(f.x(cross[k]![0]))},${px(f.y(cross[k]![1]))}L${px(f.x(cross[k + 1]![0]))},${px(f.y(cross[k + 1]![1]))}`;
    }
  return `<path class="${style.cls ?? 'isoline'}" d="${d}" fill="none" stroke="${style.color ?? COLORS.ink}" stroke-width="${style.width ?? 1.8}" stroke-linecap="round"/>`;
}
