// The nets' wasm SIMD sin/cos against Math.sin / Math.cos: within 1e-15 absolute and 1e-12
// relative everywhere (a few ulp in practice), exact quadrant handling, and Math's own
// answers for far and non-finite inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sinCosWasm, SINCOS_LIMIT } from '../../../runtime/kernels/sincos-wasm.js';

function check(x: Float64Array): void {
  const s = new Float64Array(x.length);
  const c = new Float64Array(x.length);
  expect(sinCosWasm(x, s, c)).toBe(true);
  x.forEach((xi, i) => {
    for (const [got, want, what] of [[s[i]!, Math.sin(xi), 'sin'], [c[i]!, Math.cos(xi), 'cos']] as const) {
      if (Number.isNaN(want)) {
        if (!Number.isNaN(got)) expect.fail(`${what}(${xi}) = ${got}, expected NaN`);
        continue;
      }
      const err = Math.abs(got - want);
      if (!(err <= 1e-15 && err <= 1e-12 * Math.abs(want) + 1e-300)) expect.fail(`${what}(${xi}) = ${got}, Math says ${want}`);
    }
  });
}

describe('sinCosWasm', () => {
  it('matches Math.sin and Math.cos on random arrays of any length (odd lengths too)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2000, max: 2000, noNaN: true }), { minLength: 0, maxLength: 41 }), (xs) => check(Float64Array.from(xs))),
      { numRuns: 300 },
    );
  });

  it('gets every quadrant right: multiples of pi/4 and points next to multiples of pi/2', () => {
    const xs: number[] = [];
    for (let k = -40; k <= 40; k++) xs.push((k * Math.PI) / 4, (k * Math.PI) / 2 + 1e-9, (k * Math.PI) / 2 - 1e-9);
    check(Float64Array.from(xs));
  });

  it('leaves far and non-finite inputs to Math (same answers, NaN for infinities)', () => {
    check(Float64Array.of(SINCOS_LIMIT, -SINCOS_LIMIT * 3, 1e300, Infinity, -Infinity, NaN, 0, -0, 5e-324));
  });
});
