// Quad-tree region graph over an image (pixels are variables, index r * width + c), built
// bottom-up as in cirkit's QuadTree (Mari, Vessio, Vergari 2023): at each level the grid of
// regions halves (rounding up) and each 2x2 block of the previous grid is merged.
//  - arity 4: a full block becomes one region with a 4-way partition;
//  - arity 2 (default, as in cirkit): the top pair and the bottom pair are merged first
//    (split by columns), then the two rows (split by rows): binary partitions only.
// Blocks cut by the image border hold 2 or 1 regions: 2 are merged by one binary partition,
// 1 is carried up unchanged. So any height x width works, including 1 x n and n x 1, and
// the graph is a tree (structured-decomposable) whose leaves are the single pixels.
import { RegionGraphBuilder, checkImage, type RegionGraph } from './types.js';

export interface QuadTreeOptions {
  readonly arity?: 2 | 4;
}

export function quadTree(height: number, width: number, opts: QuadTreeOptions = {}): RegionGraph {
  checkImage(height, width, 'quadTree');
  const arity = opts.arity ?? 2;
  if (arity !== 2 && arity !== 4) throw new Error(`quadTree: arity must be 2 or 4, got ${String(arity)}`);
  const b = new RegionGraphBuilder();
  // Leaf region ids equal the pixel indices.
  let grid: number[][] = [];
  for (let r = 0; r < height; r++) {
    grid.push([]);
    for (let c = 0; c < width; c++) grid[r]!.push(b.region([r * width + c]));
  }
  let h = height;
  let w = width;
  while (h > 1 || w > 1) {
    const prev = grid;
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    grid = [];
    for (let i = 0; i < h; i++) {
      grid.push([]);
      for (let j = 0; j < w; j++) {
        const at = (r: number, c: number): number | undefined => prev[r]?.[c];
        const tl = at(2 * i, 2 * j)!;
        const tr = at(2 * i, 2 * j + 1);
        const bl = at(2 * i + 1, 2 * j);
        const br = at(2 * i + 1, 2 * j + 1);
        const present = [tl, tr, bl, br].filter((x): x is number => x !== undefined);
        let node: number;
        if (present.length === 1) node = tl;
        else if (present.length === 2) node = b.merge(present);
        else if (arity === 4) node = b.merge(present);
        else node = b.merge([b.merge([tl, tr!]), b.merge([bl!, br!])]);
        grid[i]!.push(node);
      }
    }
  }
  return b.build();
}
