// The nets' wasm SIMD sin/cos against Math.sin / Math.cos, in the fused (relaxed SIMD FMA) and
// the unfused build: within 1e-15 absolute and 1e-12 relative everywhere, at most 3 ulp of
// Math's answer over the nets' reachable pre-activations and beyond (max error measured over
// dense sweeps), exact quadrant handling, and Math's own answers for far and non-finite inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sinCosWasm, SINCOS_LIMIT } from '../../../runtime/kernels/sincos-wasm.js';

/** One unit in the last place of |w| (the spacing of doubles next to it; normal range). */
const ulp = (w: number): number => 2 ** (Math.floor(Math.log2(Math.abs(w))) - 52);

/** Checks every entry; returns the largest error in ulp of Math's answer. */
function check(x: Float64Array, fma: boolean): number {
  const s = new Float64Array(x.length);
  const c = new Float64Array(x.length);
  expect(sinCosWasm(x, s, c, fma)).toBe(true);
  let worst = 0;
  x.forEach((xi, i) => {
    for (const [got, want, what] of [[s[i]!, Math.sin(xi), 'sin'], [c[i]!, Math.cos(xi), 'cos']] as const) {
      if (Number.isNaN(want)) {
        if (!Number.isNaN(got)) expect.fail(`${what}(${xi}) = ${got}, expected NaN`);
        continue;
      }
      const err = Math.abs(got - want);
      if (!(err <= 1e-15 && err <= 1e-12 * Math.abs(want) + 1e-300)) expect.fail(`${what}(${xi}) = ${got}, Math says ${want} (fma ${fma})`);
      if (Math.abs(want) >= 2 ** -1000) worst = Math.max(worst, err / ulp(want));
    }
  });
  return worst;
}

/** n points spread evenly over [lo, hi] with a deterministic jitter (not on a grid that hides errors). */
function sweep(lo: number, hi: number, n: number): Float64Array {
  let s = 12345;
  return Float64Array.from({ length: n }, (_, i) => {
    s = (s * 16807) % 2147483647;
    return lo + ((hi - lo) * (i + s / 2147483647)) / n;
  });
}

describe.each([true, false])('sinCosWasm (fma %s)', (fma) => {
  it('matches Math.sin and Math.cos on random arrays of any length (odd lengths too)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2000, max: 2000, noNaN: true }), { minLength: 0, maxLength: 41 }), (xs) => {
        check(Float64Array.from(xs), fma);
      }),
      { numRuns: 300 },
    );
  });

  it('stays within 3 ulp over the reachable range (|x| <= 64, dense) and beyond, up to the limit', () => {
    // The nets' pre-activations are sums of a few dozen products of O(1) values: |z| <= 64 covers them.
    expect(check(sweep(-64, 64, 200_000), fma)).toBeLessThanOrEqual(3);
    expect(check(sweep(-SINCOS_LIMIT, SINCOS_LIMIT, 200_000), fma)).toBeLessThanOrEqual(3);
    // Tiny and mid magnitudes of both signs, and the last values below the limit.
    const mags = Float64Array.from({ length: 4000 }, (_, i) => (i % 2 ? -1 : 1) * 2 ** (-60 + (79 * i) / 4000));
    expect(check(mags, fma)).toBeLessThanOrEqual(3);
    const edge = Float64Array.from({ length: 64 }, (_, i) => (i % 2 ? -1 : 1) * (SINCOS_LIMIT - (i >> 1) * 2 ** -33));
    expect(check(edge, fma)).toBeLessThanOrEqual(3);
  });

  it('gets every quadrant right: multiples of pi/4 and points next to multiples of pi/2', () => {
    const xs: number[] = [];
    for (let k = -40; k <= 40; k++) xs.push((k * Math.PI) / 4, (k * Math.PI) / 2 + 1e-9, (k * Math.PI) / 2 - 1e-9);
    check(Float64Array.from(xs), fma);
  });

  it('leaves far and non-finite inputs to Math (same answers, NaN for infinities), near ones beside them untouched', () => {
    check(Float64Array.of(SINCOS_LIMIT, -SINCOS_LIMIT * 3, 1e300, Infinity, -Infinity, NaN, 0, -0, 5e-324), fma);
    check(Float64Array.of(0.5, 1e6, -2, 3, NaN, 4), fma);
  });
});
