// The wasm SIMD exp (the simplex outputs' softmax of the integral circuits' nets) against
// Math.exp on its range [-708, 0]: a few ulp (1e-15 relative), any length, odd lengths, views.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXP_WASM_MIN, expInPlaceWasm } from '../../../runtime/kernels/exp-wasm.js';

function check(xs: Float64Array, n = xs.length): void {
  const got = Float64Array.from(xs);
  expect(expInPlaceWasm(got, n)).toBe(true);
  for (let i = 0; i < xs.length; i++) {
    const want = i < n ? Math.exp(xs[i]!) : xs[i]!;
    if (!(Math.abs(got[i]! - want) <= 1e-15 * Math.abs(want))) expect.fail(`exp(${xs[i]}) at ${i} of ${n}: ${got[i]}, Math says ${want}`);
  }
}

describe('expInPlaceWasm', () => {
  it('matches Math.exp to 1e-15 relative on [-708, 0], every length (the tail past n untouched)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: EXP_WASM_MIN, max: 0, noNaN: true }), { maxLength: 70 }), fc.nat(), (xs, cut) => {
        const x = Float64Array.from(xs);
        check(x, xs.length ? cut % (xs.length + 1) : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('is exact at 0 and right at the ends of its range and at the reduction boundaries', () => {
    const xs = [0, -0, EXP_WASM_MIN, -1e-300, -5e-324, -Math.LN2 / 2, -Math.LN2, -Math.LN2 * 1.5, -700.5, -1, -20];
    check(Float64Array.from(xs));
    const one = Float64Array.of(0, 0);
    expInPlaceWasm(one);
    expect([...one]).toEqual([1, 1]);
  });
});
