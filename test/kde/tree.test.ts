// The kd-tree fast path stays within its stated bound |p_tree - p| <= (atol + rtol p) / 2
// (fast-check over data, bandwidths, kernels and tolerances), against the exact direct sum.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTree, createKde, KERNEL_NAMES, logDensity, treeLogDensity } from '../../families/kde/index.js';
import { Rng } from '../../stdlib/random.js';

function blobs(n: number, d: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(3);
    for (let a = 0; a < d; a++) x[i * d + a] = 3 * c * (a % 2 ? 1 : -1) + rng.normal() * (1 + a * 0.2);
  }
  return x;
}

describe('kd-tree within tolerance', () => {
  it('|p_tree - p| <= (atol + rtol p) / 2 for random data, kernels, bandwidths and tolerances', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 50, max: 600 }),
        fc.constantFrom(...KERNEL_NAMES),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.constantFrom(0, 1e-6, 1e-3, 1e-1),
        fc.constantFrom(0, 1e-8, 1e-4, 1e-2, 0.2),
        fc.boolean(),
        fc.integer({ min: 1, max: 1000 }),
        (d, n, kernel, h, atol, rtol, whitened, seed) => {
          const x = blobs(n, d, seed);
          const kde = createKde({ data: x, d, kernel, bandwidth: whitened ? { whitened: h } : h });
          const tree = buildTree(kde, 1 + (seed % 40));
          const q = blobs(40, d, seed + 1);
          // a few far queries where every term underflows
          q[0] = 1e4;
          const got = treeLogDensity(tree, q, { atol, rtol });
          const exact = logDensity(kde, q);
          for (let i = 0; i < 40; i++) {
            const p = Math.exp(exact[i]!);
            const pt = Math.exp(got[i]!);
            const bound = 0.5 * (atol + rtol * p) * (1 + 1e-9) + 1e-13 * p;
            if (!(Math.abs(pt - p) <= bound)) throw new Error(`row ${i}: tree ${got[i]} exact ${exact[i]} bound ${bound}`);
            if (exact[i] === -Infinity && atol === 0 && got[i] !== -Infinity) throw new Error(`row ${i}: -Infinity expected`);
          }
          return true;
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it('rtol alone keeps the relative error in log space (far points included, via the exact fallback)', () => {
    const d = 3;
    const x = blobs(3000, d, 5);
    const kde = createKde({ data: x, d, bandwidth: 'scott' });
    const q = blobs(200, d, 6);
    q.set([50, 50, 50], 0);
    const got = treeLogDensity(buildTree(kde), q, { rtol: 1e-6 });
    const exact = logDensity(kde, q);
    for (let i = 0; i < 200; i++) expect(Math.abs(got[i]! - exact[i]!)).toBeLessThanOrEqual(1e-6);
    expect(Number.isFinite(got[0]!)).toBe(true);
  });

  it('missing cells go to the exact sum; bad tolerances are refused', () => {
    const kde = createKde({ data: blobs(100, 2, 7), d: 2, bandwidth: 0.5 });
    const tree = buildTree(kde);
    const q = Float64Array.from([0.1, NaN, 0.2, 0.3]);
    expect(treeLogDensity(tree, q)[0]).toBeCloseTo(logDensity(kde, q)[0]!, 12);
    expect(() => treeLogDensity(tree, q, { rtol: -1 })).toThrow(/rtol/);
  });
});
