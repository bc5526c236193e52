import { describe, expect, it } from 'vitest';
import { Rng } from '../../stdlib/random.js';
import { expectMoments } from './distributions/helpers.js';

const N = 20000;
const drawN = (seed: number, f: (r: Rng) => number): Float64Array => {
  const r = new Rng(seed);
  return Float64Array.from({ length: N }, () => f(r));
};

describe('Rng', () => {
  it('is repeatable per seed and differs across seeds', () => {
    const a = drawN(1, (r) => r.uniform()).subarray(0, 50);
    const b = drawN(1, (r) => r.uniform()).subarray(0, 50);
    const c = drawN(2, (r) => r.uniform()).subarray(0, 50);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const f1 = new Rng(9).fork();
    const f2 = new Rng(9).fork();
    expect(f1.uniform()).toBe(f2.uniform());
  });

  it('uniform is on [0, 1) with mean 1/2 and variance 1/12; uniformOpen > 0; int in range', () => {
    const u = drawN(3, (r) => r.uniform());
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    expectMoments(u, 0.5, 1 / 12);
    expect(drawN(4, (r) => r.uniformOpen()).every((v) => v > 0 && v < 1)).toBe(true);
    const k = drawN(5, (r) => r.int(7));
    expect(k.every((v) => Number.isInteger(v) && v >= 0 && v < 7)).toBe(true);
    expectMoments(k, 3, 4);
  });

  it('normal is standard normal', () => {
    expectMoments(drawN(6, (r) => r.normal()), 0, 1);
  });

  it('gamma(shape) has mean and variance shape, above and below shape 1', () => {
    for (const [i, a] of [0.3, 1, 4.5, 40].entries()) {
      const g = drawN(10 + i, (r) => r.gamma(a));
      expect(g.every((v) => v >= 0)).toBe(true);
      expectMoments(g, a, a);
    }
  });

  it('beta(a, b)', () => {
    for (const [i, [a, b]] of [[0.5, 0.5], [2, 7]].entries()) {
      expectMoments(drawN(20 + i, (r) => r.beta(a!, b!)), a! / (a! + b!), (a! * b!) / ((a! + b!) ** 2 * (a! + b! + 1)));
    }
  });

  it('poisson: small rates by inversion, large ones by splitting', () => {
    for (const [i, rate] of [0.2, 7, 29.5, 35, 400].entries()) {
      const k = drawN(30 + i, (r) => r.poisson(rate));
      expect(k.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      expectMoments(k, rate, rate);
    }
    expect(new Rng(1).poisson(0)).toBe(0);
  });

  it('binomial: small n by Bernoulli sums, large n by beta splitting', () => {
    for (const [i, [n, p]] of [[5, 0.3], [39, 0.8], [40, 0.5], [1000, 0.02], [500, 0.97]].entries()) {
      const k = drawN(40 + i, (r) => r.binomial(n!, p!));
      expect(k.every((v) => Number.isInteger(v) && v >= 0 && v <= n!)).toBe(true);
      expectMoments(k, n! * p!, n! * p! * (1 - p!));
    }
    expect(new Rng(1).binomial(10, 1)).toBe(10);
    expect(new Rng(1).binomial(10, 0)).toBe(0);
  });

  it('categorical follows the weights (offset and length respected)', () => {
    const w = [9, 1, 2, 0, 5];
    const k = drawN(50, (r) => r.categorical(w, 1, 4));
    const p = [1 / 8, 2 / 8, 0, 5 / 8];
    for (let j = 0; j < 4; j++) {
      const f = k.filter((v) => v === j).length / N;
      expect(Math.abs(f - p[j]!)).toBeLessThanOrEqual(5 * Math.sqrt((p[j]! * (1 - p[j]!)) / N));
    }
  });
});
