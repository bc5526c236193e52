// Every builder's output is a valid region graph, for random sizes and seeds; and each
// builder's own shape (depth/repeats, quad-tree leaves, chain, Poon-Domingos counts).
import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import {
  describe,
  isStructuredDecomposable,
  linear,
  poonDomingos,
  quadTree,
  randomBinaryTree,
  validate,
  type RegionGraph,
} from '../../../circuits/region-graph/index.js';

const leaves = (rg: RegionGraph) => rg.regions.filter((r) => !rg.partitions.some((p) => p.parent === r.id));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

group('randomBinaryTree', () => {
  it('is valid and respects depth and repeats', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, depth, repeats, seed) => {
        const vars = range(n).map((i) => 3 * i + 1); // any indices, not just 0..n-1
        const rg = randomBinaryTree(vars, { depth, repeats, seed });
        expect(validate(rg)).toEqual([]);
        const s = describe(rg);
        expect(s.depth).toBe(Math.min(depth, Math.ceil(Math.log2(n))));
        expect(s.maxArity).toBeLessThanOrEqual(2);
        const rootParts = rg.partitions.filter((p) => p.parent === rg.root).length;
        expect(rootParts).toBe(depth > 0 && n > 1 ? repeats : 0);
        expect(rg.regions[rg.root]!.scope).toEqual(vars);
        // Regions are not shared across repeats: every non-root region has exactly one parent partition.
        const uses = new Map<number, number>();
        for (const p of rg.partitions) for (const c of p.children) uses.set(c, (uses.get(c) ?? 0) + 1);
        for (const r of rg.regions) if (r.id !== rg.root) expect(uses.get(r.id)).toBe(1);
        // Balanced: sibling scopes differ in size by at most one.
        for (const p of rg.partitions) {
          const [a, b] = p.children.map((c) => rg.regions[c]!.scope.length);
          expect(Math.abs(a! - b!)).toBeLessThanOrEqual(1);
        }
        if (depth >= Math.ceil(Math.log2(n))) for (const l of leaves(rg)) expect(l.scope.length).toBe(1);
      }),
      { numRuns: 150 },
    );
  });

  it('is reproducible per seed and differs across seeds', () => {
    const a = randomBinaryTree(range(16), { depth: 3, repeats: 2, seed: 7 });
    expect(randomBinaryTree(range(16), { depth: 3, repeats: 2, seed: 7 })).toEqual(a);
    expect(randomBinaryTree(range(16), { depth: 3, repeats: 2, seed: 8 })).not.toEqual(a);
  });

  it('is structured-decomposable with one repeat only', () => {
    expect(isStructuredDecomposable(randomBinaryTree(range(16), { depth: 4, repeats: 1, seed: 1 }))).toBe(true);
    expect(isStructuredDecomposable(randomBinaryTree(range(16), { depth: 4, repeats: 3, seed: 1 }))).toBe(false);
  });

  it('rejects bad arguments', () => {
    expect(() => randomBinaryTree([], { depth: 1, repeats: 1, seed: 0 })).toThrow(/at least one variable/);
    expect(() => randomBinaryTree([1, 1], { depth: 1, repeats: 1, seed: 0 })).toThrow(/twice/);
    expect(() => randomBinaryTree([1, 2], { depth: -1, repeats: 1, seed: 0 })).toThrow(/depth/);
    expect(() => randomBinaryTree([1, 2], { depth: 1, repeats: 0, seed: 0 })).toThrow(/repeats/);
  });
});

group('quadTree', () => {
  it('is a valid structured-decomposable tree over the pixels for any shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.constantFrom(2 as const, 4 as const), (h, w, arity) => {
        const rg = quadTree(h, w, { arity });
        expect(validate(rg)).toEqual([]);
        expect(isStructuredDecomposable(rg)).toBe(true);
        expect(rg.regions[rg.root]!.scope).toEqual(range(h * w));
        const ls = leaves(rg);
        expect(ls.map((l) => l.scope)).toEqual(range(h * w).map((i) => [i]));
        const s = describe(rg);
        expect(s.maxArity).toBeLessThanOrEqual(arity);
        // A tree: every region but the root is the child of exactly one partition.
        expect(rg.partitions.reduce((k, p) => k + p.children.length, 0)).toBe(rg.regions.length - 1);
        // Every region is a rectangle of the image.
        for (const r of rg.regions) {
          const rows = r.scope.map((v) => Math.floor(v / w));
          const cols = r.scope.map((v) => v % w);
          const area = (Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1);
          expect(area).toBe(r.scope.length);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('8x8 has 64 single-pixel leaves; arity 4 has 21 regions, arity 2 has 127', () => {
    const q4 = quadTree(8, 8, { arity: 4 });
    expect(leaves(q4)).toHaveLength(64);
    expect(describe(q4)).toMatchObject({ regions: 64 + 16 + 4 + 1, partitions: 21, depth: 3, maxArity: 4 });
    const q2 = quadTree(8, 8);
    expect(leaves(q2).every((l) => l.scope.length === 1)).toBe(true);
    expect(describe(q2)).toMatchObject({ regions: 127, partitions: 63, leaves: 64, depth: 6, maxArity: 2 });
  });

  it('splits a block by columns first, then rows (arity 2), like cirkit', () => {
    const rg = quadTree(2, 2);
    const root = rg.partitions.find((p) => p.parent === rg.root)!;
    expect(root.children.map((c) => rg.regions[c]!.scope)).toEqual([[0, 1], [2, 3]]);
  });

  it('handles one row, one column and one pixel', () => {
    expect(describe(quadTree(1, 5))).toMatchObject({ leaves: 5, maxArity: 2, vars: 5 });
    expect(describe(quadTree(7, 1))).toMatchObject({ leaves: 7, maxArity: 2, vars: 7 });
    expect(quadTree(1, 1)).toEqual({ regions: [{ id: 0, scope: [0] }], partitions: [], root: 0 });
  });
});

group('linear', () => {
  it('is a valid chain over the variables in the given order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 30 }), (vars) => {
        const rg = linear(vars);
        expect(validate(rg)).toEqual([]);
        expect(isStructuredDecomposable(rg)).toBe(true);
        const s = describe(rg);
        expect(s).toMatchObject({ regions: 2 * vars.length - 1, partitions: vars.length - 1, depth: vars.length - 1, leaves: vars.length });
        // The root splits off the first variable.
        if (vars.length > 1) expect(rg.regions[rg.partitions.find((p) => p.parent === rg.root)!.children[0]!]!.scope).toEqual([vars[0]]);
      }),
    );
  });
});

group('poonDomingos', () => {
  it('is valid for random shapes and deltas', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
        (h, w, delta) => {
          const rg = poonDomingos(h, w, { delta });
          expect(validate(rg)).toEqual([]);
          expect(rg.regions[rg.root]!.scope).toEqual(range(h * w));
          expect(describe(rg).maxArity).toBeLessThanOrEqual(2);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('matches hand counts', () => {
    // 2x2, delta 1: every sub-rectangle is a region: 4 (1x1) + 2 (1x2) + 2 (2x1) + 1 = 9;
    // partitions: the 2x2 splits two ways, each 1x2 and 2x1 one way: 2 + 4 = 6.
    expect(describe(poonDomingos(2, 2, { delta: 1 }))).toMatchObject({ regions: 9, partitions: 6, leaves: 4, depth: 2 });
    // 3x3, delta 1: (3*4/2)^2 = 36 rectangles; an a x b one has (a-1)+(b-1) splits and there
    // are (4-a)(4-b) of them: sum = 2 * (0*3 + 1*2 + 2*1) * (3+2+1) = 48.
    expect(describe(poonDomingos(3, 3, { delta: 1 }))).toMatchObject({ regions: 36, partitions: 48, leaves: 9 });
    // 4x4, delta 2: the only cut line is 2 on each axis: root (2 splits), 4 halves (1 split
    // each), 4 quadrants of 4 pixels that are leaves: 9 regions, 6 partitions.
    const pd = poonDomingos(4, 4, { delta: 2 });
    expect(describe(pd)).toMatchObject({ regions: 9, partitions: 6, leaves: 4, maxLeafScope: 4 });
    // Coarse then fine, [2, 1]: the quadrants are now cut at resolution 1 down to pixels.
    expect(leaves(poonDomingos(4, 4, { delta: [2, 1] })).every((l) => l.scope.length === 1)).toBe(true);
  });

  it('shares regions and so is not structured-decomposable', () => {
    const rg = poonDomingos(2, 2, { delta: 1 });
    expect(isStructuredDecomposable(rg)).toBe(false);
    expect(new Set(rg.regions.map((r) => r.scope.join())).size).toBe(rg.regions.length);
  });

  it('rejects a delta below 1', () => {
    expect(() => poonDomingos(4, 4, { delta: 0.5 })).toThrow(/delta/);
    expect(() => poonDomingos(4, 4, { delta: [] })).toThrow(/delta/);
  });
});
