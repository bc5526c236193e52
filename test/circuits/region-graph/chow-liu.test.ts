// Chow-Liu: recovers the tree of data sampled from a tree model; its HCLT region graph; the
// plain Chow-Liu distribution against brute-force enumeration.
import fc from 'fast-check';
import { describe as group, expect, it } from 'vitest';
import { Rng } from '../../../stdlib/random.js';
import {
  chowLiu,
  chowLiuTree,
  describe,
  fitChowLiu,
  isStructuredDecomposable,
  mutualInformation,
  treeRegionGraph,
  validate,
  type VarInfo,
} from '../../../circuits/region-graph/index.js';

const edges = (parent: ArrayLike<number>): string[] =>
  Array.from(parent, (p, j) => (p < 0 ? '' : `${Math.min(p, j)}-${Math.max(p, j)}`)).filter(Boolean).sort();
const binary = (d: number): VarInfo[] => Array.from({ length: d }, (_, j) => ({ index: j, kind: 'discrete' as const, levels: 2 }));

/** n rows from a tree-structured Bernoulli model: root fair, each child copies its parent
 * except with probability flip[j]. parent[j] < j. */
function sampleTree(parent: readonly number[], flip: readonly number[], n: number, seed: number): Float64Array {
  const d = parent.length;
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const p = parent[j]!;
      x[i * d + j] = p < 0 ? (rng.uniform() < 0.5 ? 1 : 0) : rng.uniform() < flip[j]! ? 1 - x[i * d + p]! : x[i * d + p]!;
    }
  }
  return x;
}

const treeArb = fc.integer({ min: 2, max: 9 }).chain((d) =>
  fc.tuple(
    fc.tuple(...Array.from({ length: d }, (_, j) => (j === 0 ? fc.constant(-1) : fc.integer({ min: 0, max: j - 1 })))),
    fc.array(fc.double({ min: 0.05, max: 0.15, noNaN: true }), { minLength: d, maxLength: d }),
    fc.integer(),
  ),
);

group('chowLiuTree', () => {
  it('recovers the tree of a tree-structured Bernoulli model', () => {
    fc.assert(
      fc.property(treeArb, ([parent, flip, seed]) => {
        const x = sampleTree(parent, flip, 3000, seed);
        const t = chowLiuTree(x, 3000, binary(parent.length));
        expect(edges(t.parent)).toEqual(edges(parent));
      }),
      { numRuns: 25 },
    );
  });

  it('still recovers it with 10% of the values missing (pairwise-complete rows)', () => {
    const parent = [-1, 0, 0, 1, 1, 2, 5, 5];
    const x = sampleTree(parent, parent.map(() => 0.1), 4000, 3);
    const rng = new Rng(9);
    for (let i = 0; i < x.length; i++) if (rng.uniform() < 0.1) x[i] = NaN;
    expect(edges(chowLiuTree(x, 4000, binary(8)).parent)).toEqual(edges(parent));
  });

  it('recovers a linear-Gaussian tree from real data and honours the root', () => {
    const parent = [-1, 0, 1, 1, 0];
    const n = 2000;
    const rng = new Rng(4);
    const x = new Float64Array(n * 5);
    for (let i = 0; i < n; i++) for (let j = 0; j < 5; j++) x[i * 5 + j] = (parent[j]! < 0 ? 0 : 0.8 * x[i * 5 + parent[j]!]!) + rng.normal();
    const vars: VarInfo[] = parent.map((_, j) => ({ index: 10 + j, kind: 'real', levels: 0 }));
    const t = chowLiuTree(x, n, vars, { root: 13 });
    expect(edges(t.parent)).toEqual(edges(parent));
    expect(t.root).toBe(3);
    expect(t.parent[3]).toBe(-1);
    expect(t.order[0]).toBe(3);
    expect(() => chowLiuTree(x, n, vars, { root: 0 })).toThrow(/root 0 is not one of the variables/);
  });

  it('measures mixed real-discrete dependence by quantile bins', () => {
    const n = 2000;
    const rng = new Rng(5);
    const x = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      const z = rng.uniform() < 0.5 ? 1 : 0;
      x[i * 3] = z;
      x[i * 3 + 1] = 3 * z + rng.normal(); // depends on z
      x[i * 3 + 2] = rng.normal(); // independent
    }
    const vars: VarInfo[] = [{ index: 0, kind: 'discrete', levels: 2 }, { index: 1, kind: 'real', levels: 0 }, { index: 2, kind: 'real', levels: 0 }];
    const mi = mutualInformation(x, n, vars);
    expect(mi[0 * 3 + 1]).toBeGreaterThan(0.3);
    expect(mi[0 * 3 + 2]).toBeLessThan(0.02);
    expect(mi[1 * 3 + 0]).toBe(mi[0 * 3 + 1]);
    expect(mi[0]).toBe(0);
  });

  it('names the row and column of a bad value', () => {
    const x = Float64Array.from([0, 1, 1, 2]);
    expect(() => chowLiuTree(x, 2, binary(2))).toThrow(/row 2, column 2 \(variable 1\): value 2 is not a level 0..1/);
    expect(() => chowLiuTree(x, 3, binary(2))).toThrow(/expected n x vars/);
  });
});

group('chowLiu region graph (HCLT)', () => {
  it('is valid, structured-decomposable, one partition per internal tree node', () => {
    fc.assert(
      fc.property(treeArb, ([parent, flip, seed]) => {
        const d = parent.length;
        const x = sampleTree(parent, flip, 300, seed);
        const rg = chowLiu(x, 300, binary(d).map((v, j) => ({ ...v, index: 2 * j + 5 })));
        expect(validate(rg)).toEqual([]);
        expect(isStructuredDecomposable(rg)).toBe(true);
        const internal = new Set(Array.from(chowLiuTree(x, 300, binary(d)).parent).filter((p) => p >= 0)).size;
        const s = describe(rg);
        expect(s).toMatchObject({ partitions: internal, regions: d + internal, vars: d, maxLeafScope: 1 });
      }),
      { numRuns: 30 },
    );
  });

  it('splits a node into itself and its subtrees', () => {
    // 0 -> {1, 2}, 1 -> {3}
    const rg = treeRegionGraph([-1, 0, 0, 1], [0, 1, 2, 3]);
    expect(validate(rg)).toEqual([]);
    const scopesOf = (r: number) => rg.partitions.filter((p) => p.parent === r).map((p) => p.children.map((c) => rg.regions[c]!.scope));
    expect(scopesOf(rg.root)).toEqual([[[0], [1, 3], [2]]]);
    expect(treeRegionGraph([-1], [4])).toEqual({ regions: [{ id: 0, scope: [4] }], partitions: [], root: 0 });
    expect(() => treeRegionGraph([1, 0], [0, 1])).toThrow(/no root/);
  });
});

group('fitChowLiu (baseline)', () => {
  const vars: VarInfo[] = [2, 3, 2, 2].map((levels, j) => ({ index: j, kind: 'discrete', levels }));
  const all: number[][] = [];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) for (let e = 0; e < 2; e++) all.push([a, b, c, e]);
  const data = (seed: number, n: number): Float64Array => {
    const rng = new Rng(seed);
    const x = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      x[i * 4] = rng.int(2);
      x[i * 4 + 1] = rng.uniform() < 0.7 ? x[i * 4]! : rng.int(3);
      x[i * 4 + 2] = rng.uniform() < 0.8 ? Math.min(1, x[i * 4 + 1]!) : rng.int(2);
      x[i * 4 + 3] = rng.int(2);
    }
    return x;
  };

  it('equals the product of counted conditional tables and sums to one', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.1, max: 2, noNaN: true }), (seed, n, alpha) => {
        const x = data(seed, n);
        const m = fitChowLiu(x, n, vars, { cptAlpha: alpha });
        const parent = m.tree.parent;
        // Brute force: p(row) = prod_j (count(x_j, x_pa) + alpha) / (count(x_pa) + alpha L_j).
        const count = (pred: (r: number) => boolean) => Array.from({ length: n }, (_, r) => r).filter(pred).length;
        const brute = (y: number[]) =>
          y.reduce((s, v, j) => {
            const p = parent[j]!;
            const L = vars[j]!.levels;
            const joint = count((r) => x[r * 4 + j] === v && (p < 0 || x[r * 4 + p] === y[p]));
            const cond = p < 0 ? n : count((r) => x[r * 4 + p] === y[p]);
            return s + Math.log((joint + alpha) / (cond + alpha * L));
          }, 0);
        const ll = m.logLikelihood(Float64Array.from(all.flat()), all.length);
        let total = 0;
        all.forEach((y, k) => {
          expect(ll[k]).toBeCloseTo(brute(y), 10);
          total += Math.exp(ll[k]!);
        });
        expect(total).toBeCloseTo(1, 10);
      }),
      { numRuns: 40 },
    );
  });

  it('marginalizes missing values exactly', () => {
    const m = fitChowLiu(data(1, 80), 80, vars);
    const full = m.logLikelihood(Float64Array.from(all.flat()), all.length);
    const q = [NaN, 2, NaN, 1];
    const want = Math.log(all.reduce((s, y, k) => s + (y[1] === 2 && y[3] === 1 ? Math.exp(full[k]!) : 0), 0));
    expect(m.logLikelihood(Float64Array.from(q), 1)[0]).toBeCloseTo(want, 10);
    expect(m.logLikelihood(Float64Array.from([NaN, NaN, NaN, NaN]), 1)[0]).toBeCloseTo(0, 12);
  });

  it('treats integer weights as repeated rows, and samples match the model', () => {
    const x = data(2, 5);
    const w = Float64Array.from([1, 3, 0, 2, 1]);
    const rep: number[] = [];
    w.forEach((k, i) => { for (let t = 0; t < k; t++) rep.push(...x.subarray(i * 4, i * 4 + 4)); });
    const a = fitChowLiu(x, 5, vars, { weights: w });
    const b = fitChowLiu(Float64Array.from(rep), rep.length / 4, vars);
    const probe = Float64Array.from(all.flat());
    const la = a.logLikelihood(probe, all.length);
    const lb = b.logLikelihood(probe, all.length);
    la.forEach((v, k) => expect(v).toBeCloseTo(lb[k]!, 10));

    const m = fitChowLiu(data(3, 200), 200, vars);
    const s = m.sample(20000, new Rng(1));
    const p1 = s.filter((_, k) => k % 4 === 1 && s[k] === 2).length / 20000;
    const want = Math.exp(m.logLikelihood(Float64Array.from([NaN, 2, NaN, NaN]), 1)[0]!);
    expect(Math.abs(p1 - want)).toBeLessThan(0.02);
    expect(m.meanLogLikelihood(probe, all.length)).toBeCloseTo(m.logLikelihood(probe, all.length).reduce((t, v) => t + v, 0) / all.length, 12);
  });

  it('rejects real variables', () => {
    expect(() => fitChowLiu(new Float64Array(2), 1, [{ index: 0, kind: 'real', levels: 0 }, { index: 1, kind: 'discrete', levels: 2 }])).toThrow(/real/);
  });
});
