// The two-level (tree) gate: p(k = (b, j) | x) = g_b(x) h_bj(x) (checked against the two
// softmaxes written here), and data drawn from a known hierarchical mixture of experts give a
// held-out conditional log-likelihood within 0.02 nats of the true model's.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { treeGate, treeLogGate } from '../../families/moe/gate-tree.js';
import { Rng } from '../../stdlib/random.js';

const softmax = (eta: number[]): number[] => {
  const m = Math.max(...eta);
  const e = eta.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('the tree gate', () => {
  it('is the top softmax times the branch softmax', () => {
    const rng = new Rng(4);
    const B = 3;
    const J = 2;
    const D = 2;
    const W = Float64Array.from({ length: B * (D + 1) }, () => rng.normal());
    const inner = Float64Array.from({ length: B * J * (D + 1) }, () => rng.normal());
    const X = Float64Array.from({ length: 10 * D }, () => 2 * rng.normal());
    const lg = treeLogGate(treeGate(B, J, D, 0, W, inner), X, 10);
    for (let i = 0; i < 10; i++) {
      const x = [X[i * 2]!, X[i * 2 + 1]!, 1];
      const lin = (w: Float64Array, off: number): number => x.reduce((s, v, j) => s + v * w[off + j]!, 0);
      const g = softmax(Array.from({ length: B }, (_, b) => lin(W, b * 3)));
      for (let b = 0; b < B; b++) {
        const h = softmax(Array.from({ length: J }, (_, j) => lin(inner, (b * J + j) * 3)));
        for (let j = 0; j < J; j++) expect(Math.exp(lg[i * B * J + b * J + j]!)).toBeCloseTo(g[b]! * h[j]!, 12);
      }
    }
  });

  it('recovers a known two-level mixture: held-out log-likelihood within 0.02 nats', async () => {
    // top: branch 0 left of 0; within it, expert 0 left of -1.5; branch 1: expert 2 left of 1.5
    const gate = (x: number): number[] => {
      const top = softmax([-3 * x, 0]);
      const a = softmax([-3 * (x + 1.5), 0]);
      const b = softmax([-3 * (x - 1.5), 0]);
      return [top[0]! * a[0]!, top[0]! * a[1]!, top[1]! * b[0]!, top[1]! * b[1]!];
    };
    const experts: [number, number, number][] = [[1, 3, 0.3], [-2, -1, 0.4], [2, -1, 0.3], [-1, 4, 0.5]];
    const draw = (n: number, seed: number): { x: number; y: number }[] => {
      const r = new Rng(seed);
      return Array.from({ length: n }, () => {
        const x = -3 + 6 * r.uniform();
        const [a, b, sd] = experts[r.categorical(gate(x))]!;
        return { x, y: a * x + b + sd * r.normal() };
      });
    };
    const truth = (x: number, y: number): number => Math.log(gate(x).reduce((s, g, k) => s + (g * Math.exp(-0.5 * ((y - experts[k]![0] * x - experts[k]![1]) / experts[k]![2]) ** 2)) / (experts[k]![2] * Math.sqrt(2 * Math.PI)), 0));
    const m = compile('model M = experts(x -> y) { k = 4; gate = tree(branches = 2, ridge = 0) }').model('M');
    await m.fit(draw(4000, 1), { method: 'em', restarts: 4, maxIter: 400, tol: 1e-9, seed: 1 });
    const test = draw(4000, 2);
    const fitted = m.logProb(test).reduce((a, b) => a + b, 0) / test.length;
    const want = test.reduce((s, r) => s + truth(r.x, r.y), 0) / test.length;
    expect(Math.abs(fitted - want)).toBeLessThan(0.02);
  });
});
