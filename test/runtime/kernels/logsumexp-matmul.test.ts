// logMatmulExp (wasm SIMD float32 and JS float64 paths) against the float64 textbook
// reference and the TensorFlow.js path, on random shapes with -inf entries, all -inf rows
// and zero weights.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../runtime/backend/select.js';
import { logMatmulExp } from '../../../runtime/kernels/logsumexp-matmul.js';
import { logMatmulExpRef } from '../../../runtime/kernels/logsumexp-matmul-ref.js';
import { logMatmulExpTf } from '../../../runtime/kernels/logsumexp-matmul-tf.js';
import { Rng } from '../../../stdlib/random.js';

interface Case { F: number; B: number; K: number; J: number; A: Float32Array; W: Float32Array }

function makeCase(seed: number, F: number, B: number, K: number, J: number): Case {
  const rng = new Rng(seed);
  const scale = 1 + 40 * rng.uniform();
  const A = Float32Array.from({ length: F * B * K }, () => (rng.uniform() < 0.05 ? -Infinity : scale * (rng.uniform() - 0.8)));
  for (let r = 0; r < F * B; r++) if (rng.uniform() < 0.05) A.fill(-Infinity, r * K, (r + 1) * K);
  const W = Float32Array.from({ length: F * K * J }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform()));
  return { F, B, K, J, A, W };
}

/** Largest |got - want| / max(1, |want|); equal infinities count as 0. */
function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    e = Math.max(e, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  }
  return e;
}

const shapes = fc.record({ seed: fc.integer({ min: 0, max: 1e9 }), F: fc.integer({ min: 1, max: 3 }), B: fc.integer({ min: 1, max: 40 }), K: fc.integer({ min: 1, max: 40 }), J: fc.integer({ min: 1, max: 40 }) });

describe('logMatmulExp', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('float32 (wasm SIMD) agrees with the float64 reference to 1e-5', () => {
    fc.assert(
      fc.property(shapes, ({ seed, F, B, K, J }) => {
        const c = makeCase(seed, F, B, K, J);
        const got = new Float32Array(F * B * J);
        const want = new Float64Array(F * B * J);
        logMatmulExp(c.A, c.W, F, B, K, J, got);
        logMatmulExpRef(c.A, c.W, F, B, K, J, want);
        expect(maxErr(got, want)).toBeLessThan(1e-5);
      }),
      { numRuns: 150 },
    );
  });

  it('float64 (JS) agrees with the reference to 1e-12', () => {
    fc.assert(
      fc.property(shapes, ({ seed, F, B, K, J }) => {
        const c = makeCase(seed, F, B, K, J);
        const got = new Float64Array(F * B * J);
        const want = new Float64Array(F * B * J);
        logMatmulExp(Float64Array.from(c.A), Float64Array.from(c.W), F, B, K, J, got);
        logMatmulExpRef(c.A, c.W, F, B, K, J, want);
        expect(maxErr(got, want)).toBeLessThan(1e-12);
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with the TensorFlow.js path', () => {
    fc.assert(
      fc.property(shapes, ({ seed, F, B, K, J }) => {
        const c = makeCase(seed, F, B, K, J);
        const got = new Float32Array(F * B * J);
        const tfOut = new Float32Array(F * B * J);
        logMatmulExp(c.A, c.W, F, B, K, J, got);
        logMatmulExpTf(c.A, c.W, F, B, K, J, tfOut);
        expect(maxErr(got, tfOut)).toBeLessThan(1e-5);
      }),
      { numRuns: 30 },
    );
  });

  it('handles a layer larger than one row block, with padding of K and J', () => {
    const c = makeCase(5, 2, 600, 13, 21);
    const got = new Float32Array(2 * 600 * 21);
    const want = new Float64Array(2 * 600 * 21);
    logMatmulExp(c.A, c.W, 2, 600, 13, 21, got);
    logMatmulExpRef(c.A, c.W, 2, 600, 13, 21, want);
    expect(maxErr(got, want)).toBeLessThan(1e-5);
  });

  it('rejects arrays shorter than the shape', () => {
    expect(() => logMatmulExp(new Float32Array(3), new Float32Array(4), 1, 2, 2, 2, new Float32Array(4))).toThrow(/shorter/);
  });
});
