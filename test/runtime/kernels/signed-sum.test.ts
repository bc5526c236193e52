// The WebAssembly signed sum kernel against the row-by-row reference (signedMatVec) and against
// plain floating-point sums computed here: random shapes (padding on both sides), signs
// (negative, zero), -inf inputs, wide ranges of log-values, positive children without signs.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { signedSumBackward, signedSumForward, useFastSignedSum } from '../../../runtime/kernels/signed-sum.js';
import { Rng } from '../../../stdlib/random.js';

afterEach(() => useFastSignedSum(true));

interface Case {
  n: number;
  U: number;
  I: number;
  inL: Float64Array;
  inS: Float64Array | undefined;
  W: Float64Array;
}

function makeCase(seed: number, n: number, U: number, I: number, spread: number, signed: boolean): Case {
  const rng = new Rng(seed);
  const inL = Float64Array.from({ length: n * I }, () => (rng.uniformOpen() < 0.05 ? -Infinity : spread * rng.normal()));
  const inS = signed ? Float64Array.from(inL, (l) => (l === -Infinity ? 0 : rng.uniformOpen() < 0.4 ? -1 : 1)) : undefined;
  const W = Float64Array.from({ length: U * I }, () => (rng.uniformOpen() < 0.05 ? 0 : rng.normal()));
  return { n, U, I, inL, inS, W };
}

function run(c: Case, fast: boolean): { l: Float64Array; s: Float64Array } {
  useFastSignedSum(fast);
  const l = new Float64Array(c.n * c.U);
  const s = new Float64Array(c.n * c.U);
  signedSumForward(c.inL, c.inS, c.W, c.n, c.U, c.I, l, s);
  return { l, s };
}

/** The bound on rounding: |out_u - ref_u| <= tol * sum_i |W_ui in_i| (relative to the row's largest input). */
function check(c: Case, a: { l: Float64Array; s: Float64Array }, b: { l: Float64Array; s: Float64Array }, tol: number): void {
  for (let i = 0; i < c.n; i++) {
    let m = -Infinity;
    for (let j = 0; j < c.I; j++) m = Math.max(m, c.inL[i * c.I + j]!);
    if (m === -Infinity) {
      for (let u = 0; u < c.U; u++) {
        expect([a.l[i * c.U + u], a.s[i * c.U + u]]).toEqual([-Infinity, 0]);
        expect([b.l[i * c.U + u], b.s[i * c.U + u]]).toEqual([-Infinity, 0]);
      }
      continue;
    }
    for (let u = 0; u < c.U; u++) {
      let mag = 0;
      for (let j = 0; j < c.I; j++) mag += Math.abs(c.W[u * c.I + j]!) * Math.exp(c.inL[i * c.I + j]! - m);
      const k = i * c.U + u;
      const va = a.s[k]! * (a.l[k] === -Infinity ? 0 : Math.exp(a.l[k]! - m));
      const vb = b.s[k]! * (b.l[k] === -Infinity ? 0 : Math.exp(b.l[k]! - m));
      // plus the log representation's own rounding: a log-value l is rounded at |l| eps, and l
      // lies far below m where the unit's largest-weighted inputs are small (a zero weight on the
      // row's largest input): bound by the larger of |m| and the two log-values
      const lmax = Math.max(Math.abs(m), ...[a.l[k]!, b.l[k]!].filter(Number.isFinite).map(Math.abs));
      expect(Math.abs(va - vb)).toBeLessThanOrEqual(tol * mag + 4.5e-16 * lmax * Math.abs(vb) + 1e-300);
      // where the sum is not a cancellation, the log-values agree to 1e-12 relative (above
      // e^-700 of the row's largest input: the kernel's exp is 0 under -708, Math.exp's under -745)
      if (Math.abs(vb) > 1e-3 * mag && Math.abs(vb) > 1e-290) {
        expect(a.s[k]).toBe(b.s[k]);
        expect(Math.abs(a.l[k]! - b.l[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b.l[k]!)));
      }
    }
  }
}

describe('signed sum kernel (WebAssembly SIMD) vs the reference', () => {
  it('agrees on random shapes, signs, -inf inputs and spreads (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 }), fc.constantFrom(0.5, 5, 50, 400), fc.boolean(), (seed, n, U, I, spread, signed) => {
        const c = makeCase(seed, n, U, I, spread, signed);
        check(c, run(c, true), run(c, false), 5e-16 * (I + 4)); // rounding of I terms and their exps
      }),
      { numRuns: 60 },
    );
  });

  it('bounds the rounding of log-values far below the row maximum (fast-check counterexample)', () => {
    // seed 15: units whose weight on the row's largest input is 0 sum terms ~e^-160 below it
    const c = makeCase(15, 220, 13, 2, 400, false);
    check(c, run(c, true), run(c, false), 5e-16 * (2 + 4));
  });

  it('equals sums computed in plain floating point (moderate values)', () => {
    const c = makeCase(7, 37, 5, 6, 1, true);
    const a = run(c, true);
    for (let i = 0; i < c.n; i++) {
      for (let u = 0; u < c.U; u++) {
        let t = 0;
        for (let j = 0; j < c.I; j++) t += c.W[u * c.I + j]! * c.inS![i * c.I + j]! * Math.exp(c.inL[i * c.I + j]!);
        const k = i * c.U + u;
        expect(a.s[k]).toBe(Math.sign(t));
        expect(a.s[k]! * Math.exp(a.l[k]!)).toBeCloseTo(t, 12);
      }
    }
  });

  it('a row of -inf gives -inf with sign 0; an exact cancellation gives -inf; NaN stays NaN', () => {
    const c: Case = { n: 3, U: 2, I: 2, inL: Float64Array.of(-Infinity, -Infinity, 0, 0, NaN, 1), inS: Float64Array.of(0, 0, 1, 1, 1, 1), W: Float64Array.of(1, -1, 2, 3) };
    const a = run(c, true);
    expect([...a.l.subarray(0, 2)]).toEqual([-Infinity, -Infinity]);
    expect([...a.s.subarray(0, 2)]).toEqual([0, 0]);
    expect(a.l[2]).toBe(-Infinity); // 1 - 1
    expect(a.s[2]).toBe(0);
    expect(a.l[3]).toBeCloseTo(Math.log(5), 14);
    expect(a.s[3]).toBe(1);
    expect(Number.isNaN(a.l[4]!)).toBe(true);
    const b = run(c, false);
    expect(Number.isNaN(b.l[4]!)).toBe(true);
  });
});

describe('signed sum kernel backward vs the reference (signedMatVecBack row by row)', () => {
  function back(c: Case, out: { l: Float64Array; s: Float64Array }, f: Float64Array, fast: boolean): { inF: Float64Array; gW: Float64Array } {
    useFastSignedSum(fast);
    const inF = Float64Array.from({ length: c.n * c.I }, (_, k) => 0.01 * k); // accumulated onto
    const gW = Float64Array.from({ length: c.U * c.I }, (_, k) => -0.02 * k);
    signedSumBackward(c.inL, c.inS ?? Float64Array.from(c.inL, (l) => (l === -Infinity ? 0 : 1)), out.l, out.s, f, c.W, c.n, c.U, c.I, inF, gW);
    return { inF, gW };
  }

  it('flows into the inputs and weight gradients agree (fast-check; rows whose outputs cancel to far below their inputs included)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 }), fc.constantFrom(0.5, 5, 50), fc.boolean(), (seed, n, U, I, spread, signed) => {
        const c = makeCase(seed, n, U, I, spread, signed);
        useFastSignedSum(false);
        const out = run(c, false);
        const rng = new Rng(seed + 1);
        const f = Float64Array.from({ length: n * U }, () => (rng.uniformOpen() < 0.1 ? 0 : rng.normal()));
        // one row's first output pushed 705 nats down (its exp(m - out) near overflow): the kernel leaves it to the reference
        const m0 = Math.max(...c.inL.subarray(0, I));
        if (out.l[0]! > -Infinity && m0 > -Infinity) out.l[0] = m0 - 705;
        const a = back(c, out, f, true);
        const b = back(c, out, f, false);
        let scale = 1;
        for (const v of b.gW) scale = Math.max(scale, Math.abs(v));
        for (let k = 0; k < b.gW.length; k++) expect(Math.abs(a.gW[k]! - b.gW[k]!)).toBeLessThanOrEqual(1e-10 * scale);
        for (let i = 0; i < n; i++) {
          let rs = 1;
          for (let j = 0; j < I; j++) rs = Math.max(rs, Math.abs(b.inF[i * I + j]!));
          for (let j = 0; j < I; j++) expect(Math.abs(a.inF[i * I + j]! - b.inF[i * I + j]!)).toBeLessThanOrEqual(1e-10 * rs);
        }
      }),
      { numRuns: 60 },
    );
  });
});
