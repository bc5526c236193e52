// Data drawn from a known mixture of experts (softmax and Gaussian gates): the fit recovers the
// parameters within a few standard errors and its held-out conditional log-likelihood is within
// 0.02 nats of the true model's.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { modelOf } from '../../families/moe/index.js';
import { loadState } from '../../session/load-artifact.js';
import { sampleMoe, trueCondLogDensity, type TrueMoe } from './helpers.js';

async function fitAndScore(t: TrueMoe, gate: string, seed: number) {
  const m = compile(`model M = experts(x -> y) { k = ${t.experts.length}; gate = ${gate} }`).model('M');
  const train = sampleMoe(t, 4000, seed);
  const test = sampleMoe(t, 4000, seed + 1000);
  await m.fit(train, { method: 'em', restarts: 3, maxIter: 500, tol: 1e-9, seed: 1 });
  const lp = m.logProb(test);
  const fitted = lp.reduce((a, b) => a + b, 0) / test.length;
  const truth = test.reduce((s, r) => s + trueCondLogDensity(t, r.x, r.y), 0) / test.length;
  const { state } = loadState(m.save(), '<test>');
  return { fitted, truth, model: modelOf(state) };
}

describe('recovery from data drawn from a known mixture of experts', () => {
  it('softmax gate: experts, noise and gate recovered; held-out log-likelihood within 0.02 nats', async () => {
    const t: TrueMoe = { gate: { kind: 'softmax', w: [[2, 0.5], [0, 0]] }, experts: [[1.5, 2, 0.3], [-0.5, -1, 0.8]] };
    const { fitted, truth, model } = await fitAndScore(t, 'softmax(ridge = 0)', 3);
    expect(Math.abs(fitted - truth)).toBeLessThan(0.02);
    const c = model.linear!.coef;
    // label switching: order the fitted experts by their noise
    const order = [0, 1].sort((a, b) => model.linear!.noise[a]! - model.linear!.noise[b]!);
    t.experts.forEach(([a, b, sd], j) => {
      const k = order[j]!;
      // standard errors ~ sd / sqrt(n_k) (n_k ~ 2000): 0.007 for the first, 0.02 for the second
      expect(Math.abs(c[k * 2]! - a)).toBeLessThan(6 * sd / Math.sqrt(2000) / 1.7);
      expect(Math.abs(c[k * 2 + 1]! - b)).toBeLessThan(6 * sd / Math.sqrt(2000));
      expect(Math.abs(Math.sqrt(model.linear!.noise[k]!) - sd)).toBeLessThan(6 * sd / Math.sqrt(4000));
    });
    // gate: the logit difference (expert 0 against 1) is 2 x + 0.5
    const W = model.softmax!.W;
    const sign = order[0] === 0 ? 1 : -1;
    const slope = sign * (W[0]! - W[2]!);
    const icpt = sign * (W[1]! - W[3]!);
    expect(Math.abs(slope - 2)).toBeLessThan(0.3);
    expect(Math.abs(icpt - 0.5)).toBeLessThan(0.3);
  });

  it('Gaussian gate: held-out conditional log-likelihood within 0.02 nats, input densities recovered', async () => {
    const t: TrueMoe = { gate: { kind: 'gaussian', pi: [0.4, 0.6], mean: [-1.5, 1.5], sd: [0.7, 1] }, experts: [[1, 1, 0.3], [-2, 0.5, 0.5]] };
    const { fitted, truth, model } = await fitAndScore(t, 'gaussian', 5);
    expect(Math.abs(fitted - truth)).toBeLessThan(0.02);
    const g = model.gaussian!;
    const order = [0, 1].sort((a, b) => g.mean[a]! - g.mean[b]!);
    order.forEach((k, j) => {
      expect(Math.abs(g.pi[k]! - [0.4, 0.6][j]!)).toBeLessThan(0.04);
      expect(Math.abs(g.mean[k]! - [-1.5, 1.5][j]!)).toBeLessThan(0.1);
      expect(Math.abs(Math.sqrt(g.cov[k]!) - [0.7, 1][j]!)).toBeLessThan(0.08);
    });
  });
});
