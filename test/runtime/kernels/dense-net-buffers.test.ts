// denseForward / denseBackward with the caller's result buffers (options.y, options.gx) and
// without an input gradient (options.inputGradient false), on the three paths a net runs: the
// JS reference, the per-matmul wasm kernels and the whole-net wasm kernel. Passed buffers must
// give bit-identical numbers to fresh arrays (they start full of NaN, so any read of their old
// values shows), and skipping dL/dx must leave the gradients of w and b bit-identical.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseMatMulWasm } from '../../../runtime/kernels/dense-wasm.js';
import { sinCosWasm } from '../../../runtime/kernels/sincos-wasm.js';
import { denseNetBackwardWasm, denseNetForwardWasm } from '../../../runtime/kernels/dense-net-wasm.js';
import { denseBackward, denseForward, type Activation, type DenseKernels, type DenseLayerValues } from '../../../stdlib/nets/dense-net.js';
import { Rng } from '../../../stdlib/random.js';

const PATHS: Record<string, DenseKernels | undefined> = {
  js: undefined,
  matmul: { matmul: (A, B, m, k, n, out) => denseMatMulWasm(A, B, m, k, n, out), sinCos: sinCosWasm },
  net: { net: { forward: denseNetForwardWasm, backward: denseNetBackwardWasm } },
};

const fill = (len: number, rng: Rng, scale = 2): Float64Array => Float64Array.from({ length: len }, () => (rng.uniform() - 0.5) * scale);
const nan = (len: number): Float64Array => new Float64Array(len).fill(NaN);

function randomNet(widths: readonly number[], rng: Rng, acts: readonly Activation[]): DenseLayerValues[] {
  return widths.slice(1).map((outputs, l) => ({ w: fill(widths[l]! * outputs, rng, 3), b: fill(outputs, rng), inputs: widths[l]!, outputs, activation: acts[rng.int(acts.length)]! }));
}

const slots = (layers: readonly DenseLayerValues[]) => layers.map((l) => ({ w: new Float64Array(l.w.length).fill(0.25), b: new Float64Array(l.b.length).fill(-0.5) }));

/** Bit-identical (NaN equal to NaN), with the first differing index in the message. */
function expectSame(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

describe('dense nets with caller result buffers', () => {
  for (const [name, kernels] of Object.entries(PATHS)) {
    it(`${name}: passed y and gx give bit-identical numbers to fresh arrays, over two training steps`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 4 }),
          fc.integer({ min: 1, max: 150 }),
          fc.integer({ min: 0, max: 1e6 }),
          (widths, rows, seed) => {
            const rng = new Rng(seed);
            const layers = randomNet(widths, rng, ['sin', 'linear', 'tanh', 'relu']);
            const [nin, nout] = [widths[0]!, widths[widths.length - 1]!];
            const y = nan(rows * nout);
            const gx = nan(rows * nin);
            const [gFresh, gPassed] = [slots(layers), slots(layers)];
            for (let step = 0; step < 2; step++) {
              const x = fill(rows * nin, rng, 4);
              const gy = fill(rows * nout, rng);
              const fresh = denseForward(layers, x, rows, kernels);
              const passed = denseForward(layers, x, rows, kernels, { y });
              expect(passed.y).toBe(y);
              expectSame(passed.y, fresh.y, `y (step ${step})`);
              const gxFresh = denseBackward(layers, fresh.trace, gy, gFresh, kernels);
              const gxPassed = denseBackward(layers, passed.trace, gy, gPassed, kernels, { gx });
              expect(gxPassed).toBe(gx);
              expectSame(gxPassed, gxFresh, `gx (step ${step})`);
              layers.forEach((_, l) => {
                expectSame(gPassed[l]!.w, gFresh[l]!.w, `gw${l} (step ${step})`);
                expectSame(gPassed[l]!.b, gFresh[l]!.b, `gb${l} (step ${step})`);
              });
            }
          },
        ),
        { numRuns: 40 },
      );
    });

    it(`${name}: inputGradient false leaves the gradients of w and b bit-identical and returns an empty dL/dx`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 4 }),
          fc.integer({ min: 1, max: 150 }),
          fc.integer({ min: 0, max: 1e6 }),
          (widths, rows, seed) => {
            const rng = new Rng(seed);
            const layers = randomNet(widths, rng, ['sin', 'linear', 'tanh', 'relu']);
            const x = fill(rows * widths[0]!, rng, 4);
            const gy = fill(rows * widths[widths.length - 1]!, rng);
            const f = denseForward(layers, x, rows, kernels);
            const [withGx, without] = [slots(layers), slots(layers)];
            denseBackward(layers, f.trace, gy, withGx, kernels);
            expect(denseBackward(layers, f.trace, gy, without, kernels, { inputGradient: false }).length).toBe(0);
            layers.forEach((_, l) => {
              expectSame(without[l]!.w, withGx[l]!.w, `gw${l}`);
              expectSame(without[l]!.b, withGx[l]!.b, `gb${l}`);
            });
          },
        ),
        { numRuns: 40 },
      );
    });

    it(`${name}: a buffer of the wrong length or sharing memory with the input is an error naming the option`, () => {
      const rng = new Rng(3);
      const layers = randomNet([3, 5, 2], rng, ['sin']);
      const x = fill(7 * 3, rng);
      const gy = fill(7 * 2, rng);
      expect(() => denseForward(layers, x, 7, kernels, { y: new Float64Array(13) })).toThrow('denseForward: options.y has 13 values, expected rows (7) x outputs (2) = 14');
      const f = denseForward(layers, x, 7, kernels);
      expect(() => denseBackward(layers, f.trace, gy, slots(layers), kernels, { gx: new Float64Array(22) })).toThrow('denseBackward: options.gx has 22 values, expected rows (7) x inputs (3) = 21');
      expect(() => denseBackward(layers, f.trace, gy, slots(layers), kernels, { gx: new Float64Array(21), inputGradient: false })).toThrow('options.gx is given but options.inputGradient is false');
      // A single square linear layer: y over x, gx over gy would overwrite what the pass still reads.
      const square = randomNet([4, 4], rng, ['linear']);
      const xs = fill(6 * 4, rng);
      expect(() => denseForward(square, xs, 6, kernels, { y: xs })).toThrow('denseForward: options.y shares memory with x');
      const both = new Float64Array(6 * 4 + 2);
      const fs = denseForward(square, xs, 6, kernels);
      expect(() => denseBackward(square, fs.trace, both.subarray(0, 24), slots(square), kernels, { gx: both.subarray(2) })).toThrow('denseBackward: options.gx shares memory with gy');
    });
  }

  it('copies into the caller buffers when a net kernel ignores the options (an older hook)', () => {
    const rng = new Rng(9);
    const layers = randomNet([3, 6, 2], rng, ['sin']);
    const x = fill(10 * 3, rng);
    const gy = fill(10 * 2, rng);
    const old: DenseKernels = { net: { forward: (ls, xs, rows) => denseNetForwardWasm(ls, xs, rows), backward: (ls, t, g, grads) => denseNetBackwardWasm(ls, t, g, grads) } };
    const ref = denseForward(layers, x, 10);
    const y = nan(20);
    const f = denseForward(layers, x, 10, old, { y });
    expect(f.y).toBe(y);
    expectSame(y, denseForward(layers, x, 10, PATHS.net).y, 'y');
    const gx = nan(30);
    const [a, b] = [slots(layers), slots(layers)];
    expect(denseBackward(layers, f.trace, gy, a, old, { gx })).toBe(gx);
    const gxRef = denseBackward(layers, ref.trace, gy, b);
    for (let i = 0; i < 30; i++) expect(Math.abs(gx[i]! - gxRef[i]!)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(gxRef[i]!)));
    expect(denseBackward(layers, f.trace, gy, slots(layers), old, { inputGradient: false }).length).toBe(0);
  });
});
