// The WebAssembly SIMD sum node (sum-layer-fast.ts) against the reference loops of
// sum-layer.ts (which are themselves checked per edge in sum-layer.test.ts): forward values to
// 1e-12 relative, input flows and expected edge counts to 1e-12, on random shapes (U, I not
// multiples of 4, row counts not multiples of the block) with -inf inputs, all -inf rows, zero
// flows, zero weights and zero row weights; the backward from what the forward kept (E and the
// linear sums, no exp) likewise; and the wasm log/exp over a wide range.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { sumLayerBackward, sumLayerForward } from '../../../runtime/kernels/sum-layer.js';
import { sumNodeBackward, sumNodeForward, useFastSumLayer } from '../../../runtime/kernels/sum-layer-fast.js';
import { Rng } from '../../../stdlib/random.js';

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    if (!Number.isFinite(want[i]!) || !Number.isFinite(got[i]!)) return Infinity;
    e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(1e-300, Math.abs(want[i]!)));
  }
  return e;
}

/** Log-values are rounded at eps times the larger of 1 and their size (m + log(sum): a value near
 * 0 is the difference of two terms of size |m|), so their error is measured against max(1, |want|). */
function logErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(got[i], want[i])) continue;
    if (!Number.isFinite(want[i]!) || !Number.isFinite(got[i]!)) return Infinity;
    e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  }
  return e;
}

function absErr(got: ArrayLike<number>, want: ArrayLike<number>, scale: number): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i]! - want[i]!) / scale);
  return e;
}

afterEach(() => useFastSumLayer(true));

describe('wasm sum node', () => {
  it('equals the reference kernel (values, flows, counts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 150 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 13 }), fc.boolean(), (seed, N, U, I, weighted) => {
        const rng = new Rng(seed);
        const A = Float64Array.from({ length: N * I }, () => (rng.uniform() < 0.05 ? -Infinity : 60 * (rng.uniform() - 0.8)));
        for (let r = 0; r < N; r++) if (rng.uniform() < 0.05) A.fill(-Infinity, r * I, (r + 1) * I);
        const W = Float64Array.from({ length: U * I }, () => (rng.uniform() < 0.1 ? 0 : rng.uniformOpen()));
        const flow = Float64Array.from({ length: N * U }, () => (rng.uniform() < 0.2 ? 0 : rng.uniformOpen()));
        for (let r = 0; r < N; r++) if (rng.uniform() < 0.1) flow.fill(0, r * U, (r + 1) * U);
        const rw = weighted ? Float64Array.from({ length: N }, () => (rng.uniform() < 0.1 ? 0 : rng.uniformOpen())) : undefined;
        const start = Float64Array.from({ length: N * I }, () => rng.uniform()); // flows already there are added to
        const want = new Float64Array(N * U);
        sumLayerForward(A, W, 1, N, U, I, want);
        const got = new Float64Array(N * U);
        expect(sumNodeForward(A, W, N, U, I, got)).toBe(true);
        expect(logErr(got, want)).toBeLessThan(1e-12);
        const inWant = start.slice();
        const delta = new Float64Array(N * I);
        const cWant = new Float64Array(U * I);
        sumLayerBackward(A, want, flow, W, 1, N, U, I, rw, delta, cWant);
        for (let k = 0; k < delta.length; k++) inWant[k] += delta[k]!;
        const inGot = start.slice();
        const cGot = Float64Array.from({ length: U * I }, () => 0);
        expect(sumNodeBackward(A, want, flow, W, N, U, I, rw, inGot, cGot)).toBe(true);
        expect(relErr(inGot, inWant)).toBeLessThan(1e-12);
        // counts: sums over rows of terms of one sign, relative to the largest entry
        const scale = Math.max(1e-300, ...cWant);
        expect(absErr(cGot, cWant, scale)).toBeLessThan(1e-12);
        for (let k = 0; k < cWant.length; k++) if (cWant[k] === 0) expect(cGot[k]).toBe(0);
        // fresh: the flows' old contents (here NaN) are overwritten, not added to.
        const inFresh = new Float64Array(N * I).fill(NaN);
        expect(sumNodeBackward(A, want, flow, W, N, U, I, rw, inFresh, undefined, true)).toBe(true);
        expect(relErr(inFresh, delta)).toBeLessThan(1e-12);
        // keep / kept: the same values bit for bit, and the backward from E and the linear sums
        // (no exp) to the reference's 1e-12; A and out are then not read (NaN here).
        const keep = { E: new Float64Array(N * I).fill(NaN), O: new Float64Array(N * U).fill(NaN) };
        const gotK = new Float64Array(N * U);
        expect(sumNodeForward(A, W, N, U, I, gotK, keep)).toBe(true);
        expect(Array.from(gotK)).toEqual(Array.from(got));
        let eErr = 0;
        let oErr = 0;
        for (let r = 0; r < N; r++) {
          // out = log(O) + m, E = exp(A - m), m the row max of A (0 for a row of -inf)
          const row = A.subarray(r * I, (r + 1) * I);
          const m = Math.max(...row) === -Infinity ? 0 : Math.max(...row);
          for (let i = 0; i < I; i++) eErr = Math.max(eErr, Math.abs(keep.E[r * I + i]! - Math.exp(row[i]! - m)));
          for (let u = 0; u < U; u++) {
            const k = r * U + u;
            if (!Number.isFinite(got[k]!)) oErr = Math.max(oErr, keep.O[k] === 0 ? 0 : Infinity);
            else oErr = Math.max(oErr, Math.abs(Math.log(keep.O[k]!) + m - got[k]!) / Math.max(1, Math.abs(got[k]!), Math.abs(m)));
          }
        }
        expect(eErr).toBeLessThanOrEqual(1e-15);
        expect(oErr).toBeLessThanOrEqual(4e-15);
        const inKept = start.slice();
        const cKept = new Float64Array(U * I);
        const junkA = new Float64Array(N * I).fill(NaN);
        const junkOut = new Float64Array(N * U).fill(NaN);
        expect(sumNodeBackward(junkA, junkOut, flow, W, N, U, I, rw, inKept, cKept, false, keep)).toBe(true);
        expect(relErr(inKept, inWant)).toBeLessThan(1e-12);
        expect(absErr(cKept, cWant, scale)).toBeLessThan(1e-12);
        for (let k = 0; k < cWant.length; k++) if (cWant[k] === 0) expect(cKept[k]).toBe(0);
      }),
      { numRuns: 120 },
    );
  });

  it('forward log-values near 0 agree at the log scale (fast-check counterexample: seed 545960)', () => {
    const rng = new Rng(545960);
    const [N, U, I] = [149, 10, 4];
    const A = Float64Array.from({ length: N * I }, () => (rng.uniform() < 0.05 ? -Infinity : 60 * (rng.uniform() - 0.8)));
    for (let r = 0; r < N; r++) if (rng.uniform() < 0.05) A.fill(-Infinity, r * I, (r + 1) * I);
    const W = Float64Array.from({ length: U * I }, () => (rng.uniform() < 0.1 ? 0 : rng.uniformOpen()));
    const want = new Float64Array(N * U);
    sumLayerForward(A, W, 1, N, U, I, want);
    const got = new Float64Array(N * U);
    expect(sumNodeForward(A, W, N, U, I, got)).toBe(true);
    expect(logErr(got, want)).toBeLessThan(1e-14);
  });

  it('log and exp hold over a wide range (subnormal, huge and zero sums)', () => {
    // One unit, one input: out = log(w) + a exactly in real arithmetic.
    const as = [0, -1e-300, -700, -745, 700, 1e-10, -1e3, Math.log(Number.MIN_VALUE), 3.5];
    const ws = [1, 1e-300, 4.9e-324, 0.5, 1 - 1e-16, 2 ** -1022, 2 ** -1023, 1e300, 0];
    for (const w of ws) {
      const A = Float64Array.from(as);
      const got = new Float64Array(as.length);
      expect(sumNodeForward(A, Float64Array.of(w), as.length, 1, 1, got)).toBe(true);
      as.forEach((a, k) => {
        const want = Math.log(w) + a;
        if (!Number.isFinite(want)) expect(got[k]).toBe(want);
        else expect(Math.abs(got[k]! - want)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
      });
    }
  });

  it('exp (the kept E) is within 2 ulp of Math.exp over [-745, 0], 0 below -708.4', () => {
    // Rows [0, a]: the row max is 0, so E[row, 1] = exp(a).
    const as = Array.from({ length: 20001 }, (_, k) => -745 * (k / 20000) ** 2);
    as.push(-1e-300, -5e-324, -708.39, -708.4, -709, -0.34657359027997264, -0.3465735902799727);
    const N = as.length;
    const A = new Float64Array(2 * N);
    as.forEach((a, r) => (A[2 * r + 1] = a));
    const keep = { E: new Float64Array(2 * N), O: new Float64Array(N) };
    expect(sumNodeForward(A, Float64Array.of(0.5, 0.5), N, 1, 2, new Float64Array(N), keep)).toBe(true);
    let worst = 0;
    as.forEach((a, r) => {
      const want = Math.exp(a);
      const got = keep.E[2 * r + 1]!;
      if (a < -708) expect(got === 0 || Math.abs(got - want) <= 2 ** -1074 * 4, `exp(${a})`).toBe(true);
      else worst = Math.max(worst, Math.abs(got - want) / want);
    });
    expect(worst).toBeLessThanOrEqual(2 * 2 ** -52);
  });

  it('propagates NaN inputs as NaN values, and declines when turned off', () => {
    const A = Float64Array.of(0, NaN, -1, -2);
    const out = new Float64Array(2);
    expect(sumNodeForward(A, Float64Array.of(0.5, 0.5), 2, 1, 2, out)).toBe(true);
    expect(out[0]).toBeNaN();
    expect(Math.abs(out[1]! - Math.log(0.5 * Math.exp(-1) + 0.5 * Math.exp(-2)))).toBeLessThan(1e-15);
    useFastSumLayer(false);
    expect(sumNodeForward(A, Float64Array.of(0.5, 0.5), 2, 1, 2, out)).toBe(false);
  });
});
