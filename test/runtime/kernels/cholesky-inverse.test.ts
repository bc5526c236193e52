// The inverse from the Cholesky factor in the engine's memory (trailing sub-factors solved in
// place, column blocks shared with worker threads) against the plain JS inverse (the
// reference) and a Gauss-Jordan inverse written here, to 1e-10 relative, on random SPD
// matrices of any size, block width and thread count; only the lower triangle is written.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cholesky, warmCholeskyThreads } from '../../../runtime/kernels/cholesky.js';
import { setJoinWait } from '../../../runtime/kernels/cholesky-engine.js';
import { inverseLowerWasm } from '../../../runtime/kernels/cholesky-inverse.js';
import { inverseJs } from '../../../runtime/gp/linalg.js';
import { Rng } from '../../../stdlib/random.js';

/** G G^T / m + shift I, G n x m standard normal. */
function spd(n: number, shift: number, rng: Rng): Float64Array {
  const m = n + 3;
  const g = Float64Array.from({ length: n * m }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < m; k++) s += (g[i * m + k]! * g[j * m + k]!) / m;
      a[i * n + j] = a[j * n + i] = s;
    }
  }
  return a;
}

/** Gauss-Jordan with partial pivoting on [A | I]: independent of any factor. */
function gaussJordan(a: Float64Array, n: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: 2 * n }, (_, j) => (j < n ? a[i * n + j]! : j - n === i ? 1 : 0)));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const piv = m[c]![c]!;
    for (let j = 0; j < 2 * n; j++) m[c]![j] /= piv;
    for (let r = 0; r < n; r++) {
      const f = m[r]![c]!;
      if (r !== c && f !== 0) for (let j = 0; j < 2 * n; j++) m[r]![j] -= f * m[c]![j]!;
    }
  }
  return Float64Array.from({ length: n * n }, (_, k) => m[Math.floor(k / n)]![n + (k % n)]!);
}

/** max |got - want| over the lower triangle, over max |want| there. */
function lowerRelErr(got: Float64Array, want: Float64Array, n: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      num = Math.max(num, Math.abs(got[i * n + j]! - want[i * n + j]!));
      den = Math.max(den, Math.abs(want[i * n + j]!));
    }
  }
  return num / Math.max(den, 1e-300);
}

function factored(n: number, seed: number): { a: Float64Array; l: Float64Array } {
  const a = spd(n, 0.2, new Rng(seed));
  const l = a.slice();
  expect(cholesky(l, n, { wasm: false }).ok).toBe(true);
  return { a, l };
}

describe('inverse from the Cholesky factor in wasm memory', () => {
  let workers = 0;
  beforeAll(async () => {
    workers = await warmCholeskyThreads(3);
    setJoinWait(2000); // threaded calls wait for their workers, so the shared path runs
  });
  afterAll(() => setJoinWait(0));

  it('equals the JS inverse to 1e-10 (lower triangle; upper one untouched), any n, width, threads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(1, 4, 8, 13, 64, 128), fc.constantFrom(1, 2, 3), (seed, n, w, threads) => {
        const { l } = factored(n, seed);
        const want = l.slice();
        inverseJs(want, n);
        const got = l.slice();
        expect(inverseLowerWasm(got, n, w, threads)).toBeGreaterThan(0);
        expect(lowerRelErr(got, want, n)).toBeLessThan(1e-10);
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(got[i * n + j]).toBe(l[i * n + j]);
      }),
      { numRuns: 60 },
    );
  });

  it('on 1, 2 and 3 threads over sub-factors of 256 rows and more (the threaded solves), against Gauss-Jordan', () => {
    const n = 301;
    const { a, l } = factored(n, 7);
    const want = gaussJordan(a, n);
    for (const threads of [1, 2, 3]) {
      const got = l.slice();
      const used = inverseLowerWasm(got, n, 12, threads);
      if (workers >= threads - 1) expect(used).toBe(threads);
      expect(lowerRelErr(got, want, n), `threads ${threads}`).toBeLessThan(1e-10);
    }
  });
});
