// p(y | x) is one weighted estimate: each training row weighted by its kernel at the given
// cells, computed with one plan for every row (queries.ts). It equals the old path, one
// single-row KDE per training row (written here with the core's logDensity), on small data:
// every kernel, form, with and without weights and categorical columns (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditional, createKde, logDensity, marginal, type Kde, type KdeColumn } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';

/** The weights of the old path: a one-row KDE of the marginal per training row. */
function oldWeights(kde: Kde, given: Map<number, number>): Float64Array {
  const gcols = [...given.keys()];
  const m = marginal(kde, gcols);
  const one = Float64Array.from(gcols, (c) => given.get(c)!);
  const lw = Float64Array.from({ length: kde.n }, (_, i) => {
    const single: Kde = { ...m, n: 1, x: m.x.subarray(i * m.d, i * m.d + m.d), w: null };
    return logDensity(single, one)[0]! + (kde.w ? Math.log(kde.w[i]!) : 0);
  });
  const mx = Math.max(...lw);
  const w = lw.map((v) => Math.exp(v - mx));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

describe('conditional KDE weights: one estimate equals one KDE per training row', () => {
  it('for every kernel and form, weighted or not, with a categorical column (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom('gaussian', 'tophat', 'epanechnikov', 'exponential', 'linear', 'cosine'),
        fc.boolean(),
        fc.boolean(),
        (seed, kernel, weighted, withCat) => {
          const rng = new Rng(seed);
          const n = 5 + rng.int(40);
          const d = 3;
          const columns: KdeColumn[] = [
            { name: 'a', type: 'real' },
            { name: 'b', type: 'real' },
            withCat ? { name: 'c', type: 'categorical', levels: 3 } : { name: 'c', type: 'real' },
          ];
          const x = Float64Array.from({ length: n * d }, (_, i) => (withCat && i % d === 2 ? rng.int(3) : rng.normal()));
          const radial = kernel === 'gaussian';
          const kde = createKde({
            data: x,
            d,
            columns,
            kernel: kernel as Kde['kernel'],
            form: radial ? 'radial' : 'product',
            bandwidth: withCat ? [0.8, 1.1] : [0.8, 1.1, 0.9],
            ...(weighted ? { weights: Float64Array.from({ length: n }, () => 0.1 + rng.uniform()) } : {}),
          });
          // given a (real) and, with the categorical column, c; a value near the data so a compact kernel reaches some row
          const given = new Map<number, number>([[0, x[rng.int(n) * d]! + 0.1 * rng.normal()]]);
          if (withCat) given.set(2, rng.int(3));
          const ref = oldWeights(kde, given);
          const got = conditional(kde, given);
          expect(got.w!.length).toBe(n);
          for (let i = 0; i < n; i++) expect(Math.abs(got.w![i]! - ref[i]!)).toBeLessThanOrEqual(1e-12);
        },
      ),
      { numRuns: 60, seed: 5 },
    );
  });
});
