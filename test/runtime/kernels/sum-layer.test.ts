// The folded sum-layer kernel (register-blocked float64 JS) against a per-edge textbook
// reference: forward log-values, input flows and expected edge counts, on random shapes (odd
// U, I and row counts, so every block tail runs) with -inf inputs, all -inf rows, zero flows,
// zero weights and zero row weights.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumLayerBackward, sumLayerForward, transposeWeights } from '../../../runtime/kernels/sum-layer.js';
import { Rng } from '../../../stdlib/random.js';

function reference(A: Float64Array, W: Float64Array, flow: Float64Array, F: number, N: number, U: number, I: number, rw: Float64Array) {
  const out = new Float64Array(F * N * U);
  const inFlow = new Float64Array(F * N * I);
  const counts = new Float64Array(F * U * I);
  for (let f = 0; f < F; f++) {
    for (let n = 0; n < N; n++) {
      const a = (i: number): number => A[(f * N + n) * I + i]!;
      for (let u = 0; u < U; u++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += W[(f * U + u) * I + i]! * Math.exp(a(i));
        out[(f * N + n) * U + u] = Math.log(s);
      }
      for (let u = 0; u < U; u++) {
        const fl = flow[(f * N + n) * U + u]!;
        const o = out[(f * N + n) * U + u]!;
        if (fl === 0 || o === -Infinity) continue;
        for (let i = 0; i < I; i++) {
          const w = W[(f * U + u) * I + i]!;
          const e = w === 0 || a(i) === -Infinity ? 0 : fl * Math.exp(Math.log(w) + a(i) - o);
          inFlow[(f * N + n) * I + i] += e;
          counts[(f * U + u) * I + i] += rw[n]! * e;
        }
      }
    }
  }
  return { out, inFlow, counts };
}

function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  }
  return e;
}

describe('sum-layer kernel', () => {
  it('equals the per-edge reference (values, flows, counts)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 11 }), (seed, F, N, U, I) => {
        const rng = new Rng(seed);
        const A = Float64Array.from({ length: F * N * I }, () => (rng.uniform() < 0.05 ? -Infinity : 30 * (rng.uniform() - 0.8)));
        for (let r = 0; r < F * N; r++) if (rng.uniform() < 0.05) A.fill(-Infinity, r * I, (r + 1) * I);
        const W = Float64Array.from({ length: F * U * I }, () => (rng.uniform() < 0.1 ? 0 : rng.uniformOpen()));
        const flow = Float64Array.from({ length: F * N * U }, () => (rng.uniform() < 0.2 ? 0 : rng.uniformOpen()));
        for (let r = 0; r < F * N; r++) if (rng.uniform() < 0.1) flow.fill(0, r * U, (r + 1) * U);
        const rw = Float64Array.from({ length: N }, () => (rng.uniform() < 0.1 ? 0 : rng.uniformOpen()));
        const want = reference(A, W, flow, F, N, U, I, rw);
        const out = new Float64Array(F * N * U);
        sumLayerForward(A, W, F, N, U, I, out);
        expect(maxErr(out, want.out)).toBeLessThan(1e-12);
        const inFlow = new Float64Array(F * N * I);
        const counts = new Float64Array(F * U * I);
        sumLayerBackward(A, out, flow, W, F, N, U, I, rw, inFlow, counts);
        expect(maxErr(inFlow, want.inFlow)).toBeLessThan(1e-12);
        expect(maxErr(counts, want.counts)).toBeLessThan(1e-12);
        // Without counts (inference-time flows) and without row weights.
        const inFlow2 = new Float64Array(F * N * I);
        sumLayerBackward(A, out, flow, W, F, N, U, I, undefined, inFlow2, undefined);
        expect(maxErr(inFlow2, want.inFlow)).toBeLessThan(1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('transposeWeights swaps the last two axes', () => {
    const W = Float64Array.from({ length: 2 * 3 * 4 }, (_, k) => k);
    const T = transposeWeights(W, 2, 3, 4);
    for (let f = 0; f < 2; f++) for (let u = 0; u < 3; u++) for (let i = 0; i < 4; i++) expect(T[f * 12 + i * 3 + u]).toBe(W[f * 12 + u * 4 + i]);
  });
});
