import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cholesky, cholSolve, invFromChol, invSpd, isSpd, logDetChol, mulLower, solveLower, solveLowerT, subMatrix } from '../../../stdlib/distributions/linalg.js';
import { expectClose, real } from './helpers.js';

/** A random SPD n x n matrix A A^T + 0.1 I. */
const spd = (n: number): fc.Arbitrary<Float64Array> =>
  fc.array(real(-2, 2), { minLength: n * n, maxLength: n * n }).map((a) => {
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) m[i * n + j] += a[i * n + k]! * a[j * n + k]!;
    for (let i = 0; i < n; i++) m[i * n + i] += 0.1;
    return m;
  });
const sized = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), spd(n), fc.array(real(-3, 3), { minLength: n, maxLength: n })));

describe('linalg', () => {
  it('cholesky: L L^T reproduces the matrix, upper triangle zero', () => {
    fc.assert(
      fc.property(sized, ([n, a]) => {
        const l = a.slice();
        expect(cholesky(l, n)).toBe(true);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            if (j > i) expect(l[i * n + j]).toBe(0);
            let s = 0;
            for (let k = 0; k < n; k++) s += l[i * n + k]! * l[j * n + k]!;
            expectClose(s, a[i * n + j]!, 1e-10);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('solves, inverse and log det agree with each other', () => {
    fc.assert(
      fc.property(sized, ([n, a, b]) => {
        const l = a.slice();
        cholesky(l, n);
        const x = Float64Array.from(b);
        cholSolve(l, n, x);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k]! * x[k]!;
          expectClose(s, b[i]!, 1e-8);
        }
        const y = Float64Array.from(b);
        solveLower(l, n, y);
        solveLowerT(l, n, y);
        y.forEach((v, i) => expectClose(v, x[i]!, 1e-12));
        const lz = new Float64Array(n);
        mulLower(l, n, y, lz);
        solveLower(l, n, lz);
        lz.forEach((v, i) => expectClose(v, y[i]!, 1e-9));
        const inv = invSpd(a, n)!;
        expect(Array.from(inv)).toEqual(Array.from(invFromChol(l, n)));
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += a[i * n + k]! * inv[k * n + j]!;
            expectClose(s, i === j ? 1 : 0, 1e-7);
          }
        }
        // log det = sum of log eigenvalues; for n = 2 check the closed form.
        if (n === 2) expectClose(logDetChol(l, 2), Math.log(a[0]! * a[3]! - a[1]! * a[2]!), 1e-10);
        expect(isSpd(a, n)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects matrices that are not positive definite or not symmetric', () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
    expect(cholesky(Float64Array.from([NaN]), 1)).toBe(false);
    expect(invSpd(Float64Array.from([0]), 1)).toBeNull();
    expect(isSpd([2, 1, 0.5, 2], 2)).toBe(false);
    expect(isSpd([2, 1, 1, 2], 2)).toBe(true);
  });

  it('subMatrix picks rows and columns', () => {
    const m = Float64Array.from({ length: 9 }, (_, k) => k);
    expect(Array.from(subMatrix(m, 3, [0, 2]))).toEqual([0, 2, 6, 8]);
    expect(Array.from(subMatrix(m, 3, [1], [0, 2]))).toEqual([3, 5]);
  });
});
