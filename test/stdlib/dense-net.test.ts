import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseBackward, denseForward, glorotUniform, type Activation, type DenseLayerValues } from '../../stdlib/nets/dense-net.js';
import { Rng } from '../../stdlib/random.js';

const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu', 'sin', 'linear'];

type MutableLayer = DenseLayerValues & { w: Float64Array; b: Float64Array };

function randomNet(widths: readonly number[], acts: readonly Activation[], rng: Rng): MutableLayer[] {
  return acts.map((activation, l) => {
    const inputs = widths[l]!;
    const outputs = widths[l + 1]!;
    const w = Float64Array.from({ length: inputs * outputs }, () => rng.uniform() * 3 - 1.5);
    const b = Float64Array.from({ length: outputs }, () => rng.uniform() * 2 - 1);
    return { w, b, inputs, outputs, activation };
  });
}

/** L = sum_k c_k y_k, so dL/dy = c. */
const loss = (layers: readonly DenseLayerValues[], x: Float64Array, rows: number, c: Float64Array): number =>
  denseForward(layers, x, rows).y.reduce((s, v, k) => s + v * c[k]!, 0);

/** Central difference of L in one entry of arr. */
function fd(arr: Float64Array, k: number, f: () => number, h = 1e-6): number {
  const v = arr[k]!;
  arr[k] = v + h;
  const up = f();
  arr[k] = v - h;
  const down = f();
  arr[k] = v;
  return (up - down) / (2 * h);
}

function expectGradClose(analytic: number, numeric: number, what: string): void {
  const ok = Math.abs(analytic - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric));
  if (!ok) expect.fail(`${what}: backprop ${analytic} vs finite difference ${numeric}`);
}

/** relu is not differentiable at 0: finite differences are only meaningful away from the kink. */
function nearReluKink(layers: readonly DenseLayerValues[], x: Float64Array, rows: number): boolean {
  const { trace } = denseForward(layers, x, rows);
  return layers.some((layer, l) => layer.activation === 'relu' && trace.pre[l]!.some((z) => Math.abs(z) < 1e-3));
}

function checkGradients(widths: readonly number[], acts: readonly Activation[], rows: number, seed: number): boolean {
  const rng = new Rng(seed);
  const layers = randomNet(widths, acts, rng);
  const x = Float64Array.from({ length: rows * widths[0]! }, () => rng.uniform() * 4 - 2);
  const c = Float64Array.from({ length: rows * widths[widths.length - 1]! }, () => rng.uniform() * 2 - 1);
  if (nearReluKink(layers, x, rows)) return false;
  const { trace } = denseForward(layers, x, rows);
  const grads = layers.map((layer) => ({ w: new Float64Array(layer.w.length), b: new Float64Array(layer.b.length) }));
  const gx = denseBackward(layers, trace, c, grads);
  const f = (): number => loss(layers, x, rows, c);
  layers.forEach((layer, l) => {
    for (let k = 0; k < layer.w.length; k++) expectGradClose(grads[l]!.w[k]!, fd(layer.w, k, f), `layer ${l} (${layer.activation}) w[${k}]`);
    for (let k = 0; k < layer.b.length; k++) expectGradClose(grads[l]!.b[k]!, fd(layer.b, k, f), `layer ${l} (${layer.activation}) b[${k}]`);
  });
  expect(gx.length).toBe(x.length);
  for (let k = 0; k < x.length; k++) expectGradClose(gx[k]!, fd(x, k, f), `x[${k}]`);
  return true;
}

describe('dense net backprop', () => {
  it('matches central finite differences for every weight, bias and input, per activation and depth', () => {
    for (const act of ACTIVATIONS) {
      for (let depth = 1; depth <= 3; depth++) {
        const widths = [3, 4, 5, 2].slice(0, depth + 1);
        // Retry a few seeds in case relu lands near its kink.
        let checked = false;
        for (let seed = 1; seed < 20 && !checked; seed++) checked = checkGradients(widths, Array(depth).fill(act), 3, seed * 31 + depth);
        expect(checked, `${act} depth ${depth}`).toBe(true);
      }
    }
  });

  it('matches finite differences on random shapes and mixed activations', () => {
    const net = fc
      .integer({ min: 1, max: 3 })
      .chain((depth) =>
        fc.record({
          widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: depth + 1, maxLength: depth + 1 }),
          acts: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: depth, maxLength: depth }),
          rows: fc.integer({ min: 1, max: 4 }),
          seed: fc.integer({ min: 0, max: 1e9 }),
        }),
      );
    fc.assert(
      fc.property(net, ({ widths, acts, rows, seed }) => {
        fc.pre(checkGradients(widths, acts, rows, seed));
      }),
      { numRuns: 150 },
    );
  });

  it('matches finite differences on shapes that exercise the kernel edges and the row blocks', () => {
    // Tiles are 4 x 4 and x^T gz is formed 128 rows at a time: cover the tails of both.
    expect(checkGradients([6, 9, 5], ['tanh', 'sin'], 9, 3)).toBe(true);
    expect(checkGradients([3, 5, 2], ['sin', 'linear'], 130, 4)).toBe(true);
  });

  it('accumulates into the gradient slots instead of overwriting them', () => {
    const rng = new Rng(5);
    const layers = randomNet([2, 3, 1], ['tanh', 'linear'], rng);
    const x = Float64Array.from([0.3, -0.7, 1.1, 0.2]);
    const { trace } = denseForward(layers, x, 2);
    const gy = Float64Array.from([1, -2]);
    const once = layers.map((l) => ({ w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) }));
    const twice = layers.map((l) => ({ w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) }));
    denseBackward(layers, trace, gy, once);
    denseBackward(layers, trace, gy, twice);
    denseBackward(layers, trace, gy, twice);
    once.forEach((g, l) => {
      g.w.forEach((v, k) => expect(twice[l]!.w[k]).toBeCloseTo(2 * v, 14));
      g.b.forEach((v, k) => expect(twice[l]!.b[k]).toBeCloseTo(2 * v, 14));
    });
  });
});

describe('dense net forward', () => {
  it('with one linear layer (no hidden layer) is the affine map y = x w + b', () => {
    const layer: DenseLayerValues = { w: Float64Array.from([1, 2, 3, 4, 5, 6]), b: Float64Array.from([0.5, -1, 2]), inputs: 2, outputs: 3, activation: 'linear' };
    const { y } = denseForward([layer], Float64Array.from([1, -1, 0.5, 2]), 2);
    // row 0: [1-4, 2-5, 3-6] + b; row 1: [0.5+8, 1+10, 1.5+12] + b
    expect(Array.from(y)).toEqual([-2.5, -4, -1, 9, 10, 15.5]);
    // Affine: f(a u + (1 - a) v) = a f(u) + (1 - a) f(v).
    const u = Float64Array.from([0.3, -2]);
    const v = Float64Array.from([1.7, 0.4]);
    const a = 0.25;
    const mix = denseForward([layer], u.map((ui, i) => a * ui + (1 - a) * v[i]!), 1).y;
    const fu = denseForward([layer], u, 1).y;
    const fv = denseForward([layer], v, 1).y;
    mix.forEach((m, j) => expect(m).toBeCloseTo(a * fu[j]! + (1 - a) * fv[j]!, 13));
  });

  it('applies each activation elementwise to the affine output', () => {
    const base = { w: Float64Array.from([2]), b: Float64Array.from([-1]), inputs: 1, outputs: 1 };
    const x = Float64Array.from([-1, 0.25, 2]);
    const z = [-3, -0.5, 3];
    const expected: Record<Activation, (t: number) => number> = { tanh: Math.tanh, relu: (t) => Math.max(0, t), sin: Math.sin, linear: (t) => t };
    for (const act of ACTIVATIONS) {
      const { y } = denseForward([{ ...base, activation: act }], x, 3);
      expect(Array.from(y)).toEqual(z.map(expected[act]));
    }
  });

  it('rejects mismatched shapes', () => {
    const l1: DenseLayerValues = { w: new Float64Array(6), b: new Float64Array(3), inputs: 2, outputs: 3, activation: 'tanh' };
    const l2: DenseLayerValues = { w: new Float64Array(4), b: new Float64Array(1), inputs: 4, outputs: 1, activation: 'linear' };
    expect(() => denseForward([l1, l2], new Float64Array(4), 2)).toThrow(/takes 4 inputs but layer 0 gives 3/);
    expect(() => denseForward([l1], new Float64Array(5), 2)).toThrow(/x has 5 values/);
    expect(() => denseForward([], new Float64Array(0), 0)).toThrow(/at least one layer/);
    expect(() => denseForward([{ ...l1, b: new Float64Array(2) }], new Float64Array(4), 2)).toThrow(/dense layer 0/);
  });
});

describe('glorotUniform', () => {
  it('draws within +-sqrt(6 / (in + out)), filling the range, centred on 0', () => {
    const rng = new Rng(11);
    const [nin, nout] = [30, 50];
    const limit = Math.sqrt(6 / (nin + nout));
    const w = glorotUniform(nin, nout, () => rng.uniform());
    expect(w.length).toBe(nin * nout);
    expect(w.every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(Math.max(...w)).toBeGreaterThan(0.99 * limit);
    expect(Math.min(...w)).toBeLessThan(-0.99 * limit);
    expect(Math.abs(w.reduce((s, v) => s + v, 0) / w.length)).toBeLessThan(0.05 * limit);
    // The extremes of the source map to the ends of the range.
    expect(Array.from(glorotUniform(1, 2, () => 0))).toEqual([-Math.SQRT2, -Math.SQRT2]);
  });
});
