// Poon-Domingos region graph (Poon & Domingos, UAI 2011), with cirkit's rule for the cuts:
// every rectangle [r0,r1) x [c0,c1) of the image is split in two at every cut line strictly
// inside it, rows first, then columns. Cut lines are the multiples of a delta: for delta d
// and an axis of size s they are floor(k * d) for k = 1 .. floor((s - 1) / d). With several
// deltas (coarse to fine, e.g. [4, 1]) a rectangle uses the cuts of the first delta that has
// any inside it. A rectangle with no cut inside is a leaf region: so with delta > 1 and no
// final delta of 1, leaves are multi-pixel rectangles. Equal rectangles are one shared
// region: the result is a DAG and not structured-decomposable (a region has many splits).
import { RegionGraphBuilder, checkImage, type RegionGraph } from './types.js';

export interface PoonDomingosOptions {
  readonly delta: number | readonly number[];
}

export function poonDomingos(height: number, width: number, opts: PoonDomingosOptions): RegionGraph {
  checkImage(height, width, 'poonDomingos');
  const deltas = typeof opts.delta === 'number' ? [opts.delta] : [...opts.delta];
  if (deltas.length === 0) throw new Error('poonDomingos: needs at least one delta');
  for (const d of deltas) if (!(d >= 1) || !Number.isFinite(d)) throw new Error(`poonDomingos: each delta must be a number >= 1, got ${d}`);
  const cutsOf = (size: number, d: number): number[] => Array.from({ length: Math.floor((size - 1) / d) }, (_, k) => Math.floor((k + 1) * d));
  const cuts = deltas.map((d) => ({ rows: cutsOf(height, d), cols: cutsOf(width, d) }));

  const b = new RegionGraphBuilder();
  const ids = new Map<string, number>();
  // Depth-first with memo: a rectangle's sub-rectangles get their ids first (topological).
  const visit = (r0: number, r1: number, c0: number, c1: number): number => {
    const key = `${r0},${r1},${c0},${c1}`;
    const known = ids.get(key);
    if (known !== undefined) return known;
    const splits: [number, number][] = [];
    for (const { rows, cols } of cuts) {
      for (const r of rows) if (r0 < r && r < r1) splits.push([visit(r0, r, c0, c1), visit(r, r1, c0, c1)]);
      for (const c of cols) if (c0 < c && c < c1) splits.push([visit(r0, r1, c0, c), visit(r0, r1, c, c1)]);
      if (splits.length) break;
    }
    const scope: number[] = [];
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) scope.push(r * width + c);
    const id = b.region(scope);
    for (const s of splits) b.partition(id, s);
    ids.set(key, id);
    return id;
  };
  visit(0, height, 0, width);
  return b.build();
}
