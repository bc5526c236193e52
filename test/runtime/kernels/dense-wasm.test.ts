// The nets' wasm SIMD matmul against a plain triple loop, and a dense net run through it
// against the same net on its JS reference loops: outputs and gradients agree to 1e-12
// relative on random shapes (including sizes that are not multiples of 4).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseMatMulWasm } from '../../../runtime/kernels/dense-wasm.js';
import { sinCosWasm } from '../../../runtime/kernels/sincos-wasm.js';
import { denseBackward, denseForward, type Activation, type DenseKernels, type DenseLayerValues, type MatMulAdd } from '../../../stdlib/nets/dense-net.js';
import { Rng } from '../../../stdlib/random.js';

const simd = denseMatMulWasm(new Float64Array(1), new Float64Array(1), 1, 1, 1, new Float64Array(1));

function fill(len: number, rng: Rng, scale = 2): Float64Array {
  return Float64Array.from({ length: len }, () => (rng.uniform() - 0.5) * scale);
}

/** |x - y| <= tol * scale, entry by entry, scale[i] the sum of the magnitudes that formed y[i]. */
function expectClose(x: Float64Array, y: Float64Array, scale: Float64Array, tol: number, what: string): void {
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    if (!(Math.abs(x[i]! - y[i]!) <= tol * scale[i]!)) expect.fail(`${what}[${i}]: ${x[i]} vs ${y[i]} (scale ${scale[i]})`);
  }
}

describe('denseMatMulWasm', () => {
  it('is available here (Node has wasm SIMD)', () => {
    expect(simd).toBe(true);
  });

  for (const fma of [true, false]) {
    it(`adds A B to out like a triple loop, any m, k, n (fma ${fma})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 0, max: 1e6 }), (m, k, n, seed) => {
          const rng = new Rng(seed);
          const A = fill(m * k, rng);
          const B = fill(k * n, rng);
          const C = fill(m * n, rng);
          const want = Float64Array.from(C);
          const scale = C.map(Math.abs);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              for (let t = 0; t < k; t++) {
                want[i * n + j] += A[i * k + t]! * B[t * n + j]!;
                scale[i * n + j] += Math.abs(A[i * k + t]! * B[t * n + j]!);
              }
            }
          }
          const got = Float64Array.from(C);
          expect(denseMatMulWasm(A, B, m, k, n, got, fma)).toBe(true);
          expectClose(got, want, scale.map((s) => s + 1e-300), 1e-14, `C (${m}x${k}x${n})`);
          // A and B are left as they were.
          expect(Array.from(A)).toEqual(Array.from(fill(m * k, new Rng(seed))));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('leaves the rows and columns around a narrow product alone (padding does not leak)', () => {
    const A = Float64Array.of(1, 2, 3, 4, 5, 6); // 3 x 2
    const B = Float64Array.of(1, 10); // 2 x 1
    const out = Float64Array.of(100, 200, 300);
    denseMatMulWasm(A, B, 3, 2, 1, out);
    expect(Array.from(out)).toEqual([121, 243, 365]);
  });
});

const wasm: DenseKernels = { matmul: (A, B, m, k, n, out) => denseMatMulWasm(A, B, m, k, n, out), sinCos: sinCosWasm };

describe('a dense net on the wasm matmul and sin/cos against its JS reference', () => {
  const ACTS: readonly Activation[] = ['tanh', 'relu', 'sin', 'linear'];

  it('gives the same outputs, input gradients and weight gradients (1e-12 relative), random nets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1e6 }),
        (widths, rows, seed) => {
          const rng = new Rng(seed);
          const layers: DenseLayerValues[] = widths.slice(1).map((outputs, l) => ({
            w: fill(widths[l]! * outputs, rng, 3),
            b: fill(outputs, rng),
            inputs: widths[l]!,
            outputs,
            activation: ACTS[rng.int(ACTS.length)]!,
          }));
          const x = fill(rows * widths[0]!, rng, 4);
          const gy = fill(rows * widths[widths.length - 1]!, rng);
          const ref = denseForward(layers, x, rows);
          const fast = denseForward(layers, x, rows, wasm);
          const mag = (a: Float64Array): Float64Array => a.map((v) => Math.max(1, Math.abs(v)));
          expectClose(fast.y, ref.y, mag(ref.y), 1e-12, 'y');
          const slots = (): { w: Float64Array; b: Float64Array }[] => layers.map((l) => ({ w: new Float64Array(l.w.length).fill(0.25), b: new Float64Array(l.b.length) }));
          const gRef = slots();
          const gFast = slots();
          const gxRef = denseBackward(layers, ref.trace, gy, gRef);
          const gxFast = denseBackward(layers, fast.trace, gy, gFast, wasm);
          expectClose(gxFast, gxRef, mag(gxRef), 1e-12, 'gx');
          layers.forEach((_, l) => {
            expectClose(gFast[l]!.w, gRef[l]!.w, mag(gRef[l]!.w), 1e-12, `gw${l}`);
            expectClose(gFast[l]!.b, gRef[l]!.b, mag(gRef[l]!.b), 1e-12, `gb${l}`);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('falls back to the JS loops, with the same answers, when the matmul declines', () => {
    const rng = new Rng(3);
    const layers: DenseLayerValues[] = [{ w: fill(6, rng), b: fill(3, rng), inputs: 2, outputs: 3, activation: 'tanh' }];
    const x = fill(10, rng);
    let asked = 0;
    const declines: MatMulAdd = () => {
      asked++;
      return false;
    };
    const a = denseForward(layers, x, 5, { matmul: declines });
    const b = denseForward(layers, x, 5);
    expect(asked).toBe(1);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    const gy = fill(15, rng);
    const ga = [{ w: new Float64Array(6), b: new Float64Array(3) }];
    const gb = [{ w: new Float64Array(6), b: new Float64Array(3) }];
    expect(Array.from(denseBackward(layers, a.trace, gy, ga, { matmul: declines }))).toEqual(Array.from(denseBackward(layers, b.trace, gy, gb)));
    expect(asked).toBe(3);
    expect(Array.from(ga[0]!.w)).toEqual(Array.from(gb[0]!.w));
  });
});
