// A whole dense net in one wasm memory (runtime/kernels/dense-net-wasm.ts) against the JS
// reference loops of stdlib/nets/dense-net.ts: outputs 1e-12, input and weight gradients
// 1e-10 relative, over random widths (1-130, not multiples of 4), rows (1-300), sin / linear
// layers (tanh / relu through the fallback), with and without FMA, traces read in place or
// copied back in, far pre-activations.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseNetBackwardWasm, denseNetForwardWasm } from '../../../runtime/kernels/dense-net-wasm.js';
import { denseBackward, denseForward, type Activation, type DenseLayerValues } from '../../../stdlib/nets/dense-net.js';
import { Rng } from '../../../stdlib/random.js';

function fill(len: number, rng: Rng, scale = 2): Float64Array {
  return Float64Array.from({ length: len }, () => (rng.uniform() - 0.5) * scale);
}

function expectClose(got: Float64Array, want: Float64Array, tol: number, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!)))) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

function randomNet(widths: readonly number[], rng: Rng, acts: readonly Activation[]): DenseLayerValues[] {
  return widths.slice(1).map((outputs, l) => ({
    w: fill(widths[l]! * outputs, rng, 3),
    b: fill(outputs, rng),
    inputs: widths[l]!,
    outputs,
    activation: acts[rng.int(acts.length)]!,
  }));
}

const slots = (layers: readonly DenseLayerValues[]) => layers.map((l) => ({ w: new Float64Array(l.w.length).fill(0.25), b: new Float64Array(l.b.length).fill(-0.5) }));

/** Forward and backward both ways; `between` runs between the wasm forward and backward (e.g. other nets). */
function compare(layers: DenseLayerValues[], x: Float64Array, rows: number, gy: Float64Array, fma: boolean, between?: () => void): void {
  const ref = denseForward(layers, x, rows);
  const fast = denseNetForwardWasm(layers, x, rows, fma);
  expect(fast).not.toBeNull();
  expectClose(fast!.y, ref.y, 1e-12, 'y');
  fast!.trace.pre.forEach((z, l) => expectClose(z, ref.trace.pre[l]!, 1e-12, `pre${l}`));
  between?.();
  const gRef = slots(layers);
  const gFast = slots(layers);
  const gxRef = denseBackward(layers, ref.trace, gy, gRef);
  const gxFast = denseNetBackwardWasm(layers, fast!.trace, gy, gFast, fma);
  expect(gxFast).not.toBeNull();
  expectClose(gxFast!, gxRef, 1e-10, 'gx');
  layers.forEach((_, l) => {
    expectClose(gFast[l]!.w, gRef[l]!.w, 1e-10, `gw${l}`);
    expectClose(gFast[l]!.b, gRef[l]!.b, 1e-10, `gb${l}`);
  });
}

describe('denseNetForwardWasm / denseNetBackwardWasm', () => {
  for (const fma of [true, false]) {
    it(`agree with the JS reference on random sin / linear nets (fma ${fma})`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 2, maxLength: 4 }),
          fc.integer({ min: 1, max: 70 }),
          fc.integer({ min: 0, max: 1e6 }),
          (widths, rows, seed) => {
            const rng = new Rng(seed);
            const layers = randomNet(widths, rng, ['sin', 'linear']);
            const x = fill(rows * widths[0]!, rng, 4);
            const gy = fill(rows * widths[widths.length - 1]!, rng);
            compare(layers, x, rows, gy, fma);
          },
        ),
        { numRuns: 120 },
      );
    });
  }

  it('agrees on wide layers (widths 1-130) and on more rows than one gw block (129-300)', () => {
    // Widths up to 130 cross the padding of every multiple of 4 and the 128-unit shapes the PIC
    // uses; rows above 128 make gw = x^T gz run in several row blocks.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 130 }), { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (widths, rows, fma, seed) => {
          const rng = new Rng(seed);
          const layers = randomNet(widths, rng, ['sin', 'linear']);
          compare(layers, fill(rows * widths[0]!, rng, 4), rows, fill(rows * widths[widths.length - 1]!, rng), fma);
        },
      ),
      { numRuns: 40 },
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 2, maxLength: 3 }), fc.integer({ min: 129, max: 300 }), fc.integer({ min: 0, max: 1e6 }), (widths, rows, seed) => {
        const rng = new Rng(seed);
        const layers = randomNet(widths, rng, ['sin', 'linear']);
        compare(layers, fill(rows * widths[0]!, rng, 4), rows, fill(rows * widths[widths.length - 1]!, rng), true);
      }),
      { numRuns: 30 },
    );
  });

  it('through denseForward / denseBackward, agrees for every activation (tanh and relu nets fall back to the reference loops)', () => {
    const kernels = { net: { forward: denseNetForwardWasm, backward: denseNetBackwardWasm } };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1e6 }),
        (widths, rows, seed) => {
          const rng = new Rng(seed);
          const layers = randomNet(widths, rng, ['sin', 'linear', 'tanh', 'relu']);
          const x = fill(rows * widths[0]!, rng, 4);
          const gy = fill(rows * widths[widths.length - 1]!, rng);
          const ref = denseForward(layers, x, rows);
          const fast = denseForward(layers, x, rows, kernels);
          expectClose(fast.y, ref.y, 1e-12, 'y');
          const [gRef, gFast] = [slots(layers), slots(layers)];
          expectClose(denseBackward(layers, fast.trace, gy, gFast, kernels), denseBackward(layers, ref.trace, gy, gRef), 1e-10, 'gx');
          layers.forEach((_, l) => {
            expectClose(gFast[l]!.w, gRef[l]!.w, 1e-10, `gw${l}`);
            expectClose(gFast[l]!.b, gRef[l]!.b, 1e-10, `gb${l}`);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same gradients from a second backward of one trace (x copied in again each pass)', () => {
    const rng = new Rng(17);
    const layers = randomNet([5, 12, 3], rng, ['sin']);
    const x = fill(41 * 5, rng, 4);
    const gy = fill(41 * 3, rng);
    const fast = denseNetForwardWasm(layers, x, 41, true)!;
    const [a, b] = [slots(layers), slots(layers)];
    const gx1 = denseNetBackwardWasm(layers, fast.trace, gy, a, true)!;
    denseNetForwardWasm(randomNet([5, 9], rng, ['linear']), fill(41 * 5, rng), 41, true); // another x in the scratch
    const gx2 = denseNetBackwardWasm(layers, fast.trace, gy, b, true)!;
    expectClose(gx2, gx1, 0, 'gx (second backward)');
    layers.forEach((_, l) => expectClose(b[l]!.w, a[l]!.w, 0, `gw${l} (second backward)`));
  });

  it('reads a trace in place after other nets ran forward, and copies in a trace from the JS forward', () => {
    const rng = new Rng(7);
    const layers = randomNet([2, 9, 6, 5], rng, ['sin']);
    const x = fill(37 * 2, rng, 4);
    const gy = fill(37 * 5, rng);
    const other = randomNet([3, 7, 4], rng, ['sin', 'linear']);
    compare(layers, x, 37, gy, true, () => {
      for (let i = 0; i < 3; i++) denseNetForwardWasm(other, fill(11 * 3, rng), 11, true);
    });
    // A trace the wasm forward never saw (the JS reference's, without cos z): copied in.
    const ref = denseForward(layers, x, 37);
    const a = slots(layers);
    const b = slots(layers);
    expectClose(denseNetBackwardWasm(layers, ref.trace, gy, a, true)!, denseBackward(layers, ref.trace, gy, b), 1e-10, 'gx (copied in)');
    layers.forEach((_, l) => expectClose(a[l]!.w, b[l]!.w, 1e-10, `gw${l} (copied in)`));
  });

  it('stays exact after the arena starts over (later nets evict older traces)', () => {
    const rng = new Rng(11);
    const small = randomNet([3, 8, 4], rng, ['sin', 'linear']);
    const x = fill(20 * 3, rng);
    const gy = fill(20 * 4, rng);
    compare(small, x, 20, gy, true, () => {
      // 4 x 8000 x 128 doubles (~31 MiB) each: the first fills the small net's 32 MiB region, the
      // second the other region; then the first region starts over, evicting the small net's trace.
      const big = randomNet([128, 128], rng, ['sin']);
      for (let i = 0; i < 2; i++) denseNetForwardWasm(big, fill(8000 * 128, rng), 8000, true);
    });
  });

  it('stays exact for a net larger than a region (both regions start over), before and after eviction', () => {
    const rng = new Rng(13);
    const big = randomNet([4, 258], rng, ['sin']);
    const rows = 5500; // 5500 x (4 + 3 x 260) doubles: more than a 32 MiB region
    const x = fill(rows * 4, rng);
    const gy = fill(rows * 258, rng);
    compare(big, x, rows, gy, true);
    compare(big, x, rows, gy, true, () => {
      for (let i = 0; i < 3; i++) denseNetForwardWasm(randomNet([8, 8], rng, ['linear']), fill(8 * 200000, rng), 200000, true);
    });
  });

  it('hands the JS backward its trace arrays, read from wasm or, after the arena started over, recomputed', () => {
    const rng = new Rng(5);
    const layers = randomNet([3, 10, 7, 2], rng, ['sin', 'linear']);
    layers[0] = { ...layers[0]!, activation: 'sin' };
    const x = fill(29 * 3, rng, 4);
    const gy = fill(29 * 2, rng);
    const ref = denseForward(layers, x, 29);
    const gRef = slots(layers);
    const gxRef = denseBackward(layers, ref.trace, gy, gRef);
    for (const evict of [false, true]) {
      const fast = denseNetForwardWasm(layers, x, 29, true)!;
      if (evict) {
        const big = randomNet([128, 128], rng, ['sin']);
        for (let i = 0; i < 2; i++) denseNetForwardWasm(big, fill(8000 * 128, rng), 8000, true);
      }
      fast.trace.inputs.forEach((a, l) => expectClose(a, ref.trace.inputs[l]!, 1e-12, `inputs${l} (evicted ${evict})`));
      const g = slots(layers);
      expectClose(denseBackward(layers, fast.trace, gy, g), gxRef, 1e-10, `gx (evicted ${evict})`);
      layers.forEach((_, l) => expectClose(g[l]!.w, gRef[l]!.w, 1e-10, `gw${l} (evicted ${evict})`));
    }
  });

  it('gives Math.sin / Math.cos where pre-activations are far (|z| >= 2^19) or not finite', () => {
    const layers: DenseLayerValues[] = [{ w: Float64Array.of(1, 3e6, -1), b: Float64Array.of(0, 0, 0), inputs: 1, outputs: 3, activation: 'sin' }];
    const x = Float64Array.of(0.5, 1e6, Infinity, NaN);
    const fast = denseNetForwardWasm(layers, x, 4, true)!;
    const ref = denseForward(layers, x, 4);
    for (let i = 0; i < 12; i++) {
      if (Number.isNaN(ref.y[i]!)) expect(fast.y[i]).toBeNaN();
      else expect(fast.y[i]).toBe(ref.y[i]);
    }
    expect(fast.y[4]).toBe(Math.sin(3e12));
  });

  it('declines tanh and relu nets (the per-layer path runs them)', () => {
    const rng = new Rng(1);
    expect(denseNetForwardWasm(randomNet([2, 3], rng, ['tanh']), fill(4, rng), 2)).toBeNull();
    expect(denseNetForwardWasm(randomNet([2, 3], rng, ['relu']), fill(4, rng), 2)).toBeNull();
  });
});
