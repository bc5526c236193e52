// The one Adam update rule (runtime/learners/adam-optimizer.ts): against a test-side Adam
// written from the paper (Kingma & Ba 2015, Algorithm 1 with the "efficient" step of section 2),
// with per-entry scales (Adam in the coordinates x / s) and box bounds.
import { describe, expect, it } from 'vitest';
import { AdamOptimizer } from '../../../runtime/learners/adam-optimizer.js';

/** Textbook Adam, ascending: returns the iterates. */
function reference(x0: number[], grad: (x: number[]) => number[], lr: number, steps: number): number[][] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const x = x0.slice();
  const m = x.map(() => 0);
  const v = x.map(() => 0);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = grad(x);
    const a = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < x.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      x[i] = x[i]! + (a * m[i]!) / (Math.sqrt(v[i]!) + eps);
    }
    out.push(x.slice());
  }
  return out;
}

describe('AdamOptimizer', () => {
  // Ascent on f(x) = -sum c_i (x_i - t_i)^2.
  const c = [1, 10, 0.1];
  const target = [2, -1, 5];
  const grad = (x: ArrayLike<number>): number[] => Array.from(x, (xi, i) => -2 * c[i]! * (xi - target[i]!));

  it('matches the textbook update step by step and climbs to the maximum', () => {
    const want = reference([0, 0, 0], grad, 0.1, 400);
    const adam = new AdamOptimizer(0.1);
    const x = new Float64Array(3);
    for (let t = 0; t < 400; t++) {
      const g = grad(x);
      adam.begin();
      adam.ascend('x', x, g);
      for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(want[t]![i]!, 12);
    }
    expect(adam.steps).toBe(400);
    for (let i = 0; i < 2; i++) expect(x[i]).toBeCloseTo(target[i]!, 2);
  });

  it('blocks share one step count; divide scales the gradient (a mean over a batch)', () => {
    const a = new AdamOptimizer(0.05);
    const b = new AdamOptimizer(0.05);
    const x1 = new Float64Array([1]);
    const y1 = new Float64Array([1]);
    const x2 = new Float64Array([1]);
    const y2 = new Float64Array([1]);
    for (let t = 0; t < 5; t++) {
      a.begin();
      a.ascend('x', x1, [8 * (3 - x1[0]!)], { divide: 4 });
      a.ascend('y', y1, [-y1[0]!]);
      b.begin();
      b.ascend('x', x2, [2 * (3 - x2[0]!)]);
      b.ascend('y', y2, [-y2[0]!]);
    }
    expect(x1[0]).toBeCloseTo(x2[0]!, 14);
    expect(y1[0]).toBe(y2[0]);
  });

  it('a scale s runs Adam in x / s (steps s times larger); bounds clip each step', () => {
    const s = 3;
    const want = reference([0], (u) => [grad([u[0]! * s])[0]! * s], 0.1, 50).map((u) => u[0]! * s);
    const adam = new AdamOptimizer(0.1);
    const x = new Float64Array(1);
    for (let t = 0; t < 50; t++) {
      const g = grad(x);
      adam.begin();
      adam.ascend('x', x, g, { scale: [s] });
      expect(x[0]).toBeCloseTo(want[t]!, 10);
    }
    const boxed = new AdamOptimizer(1);
    const y = new Float64Array([0, 0]);
    for (let t = 0; t < 20; t++) {
      boxed.begin();
      boxed.ascend('y', y, [1, -1], { lower: [-0.5, -0.5], upper: [0.5, 0.5] });
    }
    expect(Array.from(y)).toEqual([0.5, -0.5]);
  });

  it('refuses a step before begin()', () => {
    expect(() => new AdamOptimizer(0.1).ascend('x', new Float64Array(1), [1])).toThrow(/before begin/);
  });
});
