// The blocked Cholesky (wasm SIMD and JS paths, several block sizes), the triangular solves
// and the log-determinant against the textbook references, on random SPD matrices; a matrix
// that is not positive definite reports the same pivot as the reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cholesky, logDetChol, solveLower, solveLowerT } from '../../../runtime/kernels/cholesky.js';
import { choleskyRef, solveLowerRef, solveLowerTRef } from '../../../runtime/kernels/cholesky-ref.js';
import { Rng } from '../../../stdlib/random.js';

/** G G^T / m + shift * I with G n x m standard normal (m < n makes it near-singular unless shift > 0). */
function spd(n: number, m: number, shift: number, rng: Rng): Float64Array {
  const g = Float64Array.from({ length: n * m }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? shift : 0;
      for (let k = 0; k < m; k++) s += (g[i * m + k]! * g[j * m + k]!) / m;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

const relErr = (got: Float64Array, want: Float64Array): number => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num = Math.max(num, Math.abs(got[i]! - want[i]!));
    den = Math.max(den, Math.abs(want[i]!));
  }
  return num / Math.max(den, 1e-300);
};

const arb = fc.record({ seed: fc.integer({ min: 0, max: 1e9 }), n: fc.integer({ min: 1, max: 140 }), block: fc.constantFrom(2, 8, 16, 64), wasm: fc.boolean(), k: fc.integer({ min: 1, max: 5 }) });

describe('blocked Cholesky', () => {
  it('factor, solves and log-determinant agree with the references to 1e-5 relative', () => {
    fc.assert(
      fc.property(arb, ({ seed, n, block, wasm, k }) => {
        const rng = new Rng(seed);
        const a = spd(n, n + 3, 0.1, rng);
        const want = a.slice();
        expect(choleskyRef(want, n).ok).toBe(true);
        const got = a.slice();
        expect(cholesky(got, n, { block, wasm })).toEqual({ ok: true, pivot: -1 });
        expect(relErr(got, want)).toBeLessThan(1e-5);
        expect(Math.abs(logDetChol(got, n) - logDetChol(want, n))).toBeLessThan(1e-5 * Math.max(1, Math.abs(logDetChol(want, n))));
        const b = Float64Array.from({ length: n * k }, () => rng.normal());
        const x = b.slice();
        const xr = b.slice();
        solveLower(got, n, x, k);
        solveLowerRef(want, n, xr, k);
        expect(relErr(x, xr)).toBeLessThan(1e-5);
        solveLowerT(got, n, x, k);
        solveLowerTRef(want, n, xr, k);
        expect(relErr(x, xr)).toBeLessThan(1e-5);
      }),
      { numRuns: 120 },
    );
  });

  it('solves A x = b: L L^T x reproduces b', () => {
    const rng = new Rng(4);
    const n = 200;
    const a = spd(n, n, 1, rng);
    const l = a.slice();
    cholesky(l, n);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = b.slice();
    solveLower(l, n, x, 1);
    solveLowerT(l, n, x, 1);
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j]!;
      err = Math.max(err, Math.abs(s - b[i]!));
    }
    expect(err).toBeLessThan(1e-9);
  });

  it('reports the failing pivot of a matrix that is not positive definite', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 3, max: 120 }), fc.boolean(), (seed, n, wasm) => {
        const rng = new Rng(seed);
        const a = spd(n, n, 0.5, rng);
        const bad = rng.int(n);
        a[bad * n + bad] = -1; // a negative diagonal entry: not positive definite
        const want = choleskyRef(a.slice(), n);
        const got = cholesky(a.slice(), n, { block: 16, wasm });
        expect(want.ok).toBe(false);
        expect(got).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('reports pivot 0 for a NaN matrix instead of throwing', () => {
    expect(cholesky(Float64Array.of(NaN, 0, 0, 1), 2)).toEqual({ ok: false, pivot: 0 });
  });
});
