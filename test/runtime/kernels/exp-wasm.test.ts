// The wasm SIMD exp and softmax (the simplex outputs of the integral circuits' nets) against
// Math.exp on its range [-708, 0] (a few ulp: 1e-15 relative; any length, odd lengths, views) and
// against latent-fn.ts's toNatural (1e-14 relative), declining (v untouched) outside its range.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EXP_WASM_MIN, expInPlaceWasm, softmaxInPlaceWasm } from '../../../runtime/kernels/exp-wasm.js';
import { toNatural } from '../../../circuits/integral/latent-fn.js';

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

describe('softmaxInPlaceWasm', () => {
  it('matches toNatural(simplex) to 1e-14 relative on runs of even length, or declines leaving v as it was', () => {
    const runs = fc.record({ half: fc.integer({ min: 1, max: 8 }), count: fc.integer({ min: 0, max: 9 }), spread: fc.constantFrom(1, 50, 400) });
    fc.assert(
      fc.property(runs.chain((r) => fc.record({ r: fc.constant(r), u: fc.array(fc.double({ min: -r.spread, max: r.spread, noNaN: true }), { minLength: 2 * r.half * r.count, maxLength: 2 * r.half * r.count }) })), ({ r, u }) => {
        const last = 2 * r.half;
        const x = Float64Array.from(u);
        const want = toNatural('simplex', x, last);
        const got = Float64Array.from(x);
        // Inside the kernel's range exactly when every entry is within 708 of its run's max.
        let inRange = true;
        for (let off = 0; off < x.length; off += last) {
          const m = Math.max(...x.subarray(off, off + last));
          for (let i = 0; i < last; i++) if (!(x[off + i]! - m >= EXP_WASM_MIN)) inRange = false;
        }
        expect(softmaxInPlaceWasm(got, got.length, last)).toBe(inRange);
        if (!inRange) return void expect([...got]).toEqual([...x]);
        for (let i = 0; i < x.length; i++) if (!(Math.abs(got[i]! - want[i]!) <= 1e-14 * want[i]!)) expect.fail(`[${i}] ${got[i]} vs ${want[i]}`);
      }),
      { numRuns: 300 },
    );
  });

  it('declines odd runs and NaN or infinite entries (nothing written), and handles a prefix', () => {
    const odd = Float64Array.of(1, 2, 3);
    expect(softmaxInPlaceWasm(odd, 3, 3)).toBe(false);
    expect([...odd]).toEqual([1, 2, 3]);
    for (const bad of [NaN, Infinity, -Infinity]) {
      const v = Float64Array.of(0, 1, bad, 2);
      expect(softmaxInPlaceWasm(v, 4, 2)).toBe(false);
      expect(Object.is(v[2], bad)).toBe(true);
    }
    const v = Float64Array.of(0, Math.log(3), 9, 9);
    expect(softmaxInPlaceWasm(v, 2, 2)).toBe(true);
    expect(v[0]).toBeCloseTo(0.25, 15);
    expect(v[1]).toBeCloseTo(0.75, 15);
    expect([v[2], v[3]]).toEqual([9, 9]);
  });
});
