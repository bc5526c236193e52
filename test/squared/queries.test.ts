// Queries of squared circuits against independent numerics: marginals and conditionals by
// numerical integration of the joint (real) or enumeration (bool), non-negativity over random
// signed weights (fast-check), and exact samples against the model's CDF (Kolmogorov-Smirnov).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { ModelState } from '../../runtime/state.js';
import { squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { squaredCdf, squaredSample } from '../../runtime/squared/sample.js';
import { squaredMode } from '../../runtime/squared/map.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk } from '../helpers/programs.js';
import { simpson, squaredMixture } from './helpers.js';

/** A lowered squared circuit with random signed weights and random leaf parameters. */
function randomSquared(body: string, vars: IRVariable[], seed: number): ModelState {
  const { graph, diagnostics } = lowerModel(compileOk(`model M = ${body}`), 'M', vars);
  if (!graph) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [name, vals] of s.values) {
    const p = s.param(name);
    for (let i = 0; i < vals.length; i++) {
      if (p.param.kind === 'signed') vals[i] = 2 * rng.uniform() - 0.8;
      else if (p.param.kind === 'unit') vals[i] = 0.1 + 0.8 * rng.uniform();
      else if (p.param.kind === 'positive' || p.param.kind === 'spd') vals[i] = 0.3 + rng.uniform(); // spd: 1 x 1 leaves here
      else if (p.param.kind === 'identity') vals[i] = 3 * rng.uniform() - 1.5;
    }
  }
  return s;
}

const reals = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));
const bools = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `b${i}`, type: { kind: 'bool' } }));
const lp = (s: ModelState, ...x: number[]): number => squaredLogDensity(s, Float64Array.from(x), 1)[0]!;

describe('squared circuits: marginals and conditionals', () => {
  it('bool circuit (Kronecker): sums to 1, marginals and conditionals equal enumeration', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 2) inputs Bernoulli sum real(units = 3) product kronecker })', bools(4), 3);
    const k = 4;
    const joint = new Map<number, number>();
    let total = 0;
    for (let m = 0; m < 1 << k; m++) {
      const p = Math.exp(lp(s, ...Array.from({ length: k }, (_, j) => (m >> j) & 1)));
      joint.set(m, p);
      total += p;
    }
    expect(total).toBeCloseTo(1, 10);
    // p(b0 = 1, b2 = 0) by enumeration vs the integrated product circuit
    let ref = 0;
    for (const [m, p] of joint) if ((m & 1) === 1 && ((m >> 2) & 1) === 0) ref += p;
    expect(Math.exp(lp(s, 1, NaN, 0, NaN))).toBeCloseTo(ref, 10);
    // p(b1 = 1 | b3 = 0)
    let num = 0;
    let den = 0;
    for (const [m, p] of joint) {
      if (((m >> 3) & 1) !== 0) continue;
      den += p;
      if (((m >> 1) & 1) === 1) num += p;
    }
    expect(Math.exp(lp(s, NaN, 1, NaN, 0) - lp(s, NaN, NaN, NaN, 0))).toBeCloseTo(num / den, 10);
  });

  it('real circuit (Hadamard, 2 variables): the marginal of x0 and a conditional match numerical integration', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 1) inputs Normal sum real(units = 3) })', reals(2), 7);
    const joint = (a: number, b: number): number => Math.exp(lp(s, a, b));
    expect(simpson((a) => simpson((b) => joint(a, b), -12, 12, 300), -12, 12, 300)).toBeCloseTo(1, 6);
    for (const a of [-1.2, 0.4]) {
      const marg = simpson((b) => joint(a, b), -12, 12, 600);
      expect(Math.exp(lp(s, a, NaN))).toBeCloseTo(marg, 8);
      // p(x1 = 0.3 | x0 = a)
      expect(Math.exp(lp(s, a, 0.3) - lp(s, a, NaN))).toBeCloseTo(joint(a, 0.3) / marg, 7);
    }
  });

  it('the density is >= 0 everywhere and finite, over random signed weights and points', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 4, maxLength: 4 }), (seed, x) => {
        const s = randomSquared('square(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 2) })', reals(4), seed);
        const v = lp(s, ...x);
        const m = lp(s, x[0]!, NaN, x[2]!, NaN);
        return !Number.isNaN(v) && v < Infinity && Math.exp(v) >= 0 && !Number.isNaN(m) && Math.exp(m) >= 0;
      }),
      { numRuns: 60, seed: 11 },
    );
  });
});

describe('squared circuits: sampling and mode', () => {
  it('10,000 exact samples of a 1-D subtractive mixture pass Kolmogorov-Smirnov (p > 0.01)', () => {
    const s = squaredMixture([1, -0.6, 0.5], [[0], [0], [2]], [[1], [0.5], [0.6]]);
    const n = 10000;
    const xs = squaredSample(s, n, new Rng(42));
    const sorted = Float64Array.from(xs).sort();
    const F = squaredCdf(s, 0, sorted);
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(F[i]! - i / n), Math.abs(F[i]! - (i + 1) / n));
    // asymptotic Kolmogorov distribution: P(D > d) ~ 2 sum (-1)^(k-1) exp(-2 k^2 n d^2)
    const t = Math.sqrt(n) * d;
    let p = 0;
    for (let k = 1; k < 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * t * t);
    expect(p).toBeGreaterThan(0.01);
    // the CDF itself: numerical integration of the density
    const dens = (x: number): number => Math.exp(lp(s, x));
    expect(squaredCdf(s, 0, Float64Array.of(0.5))[0]!).toBeCloseTo(simpson(dens, -15, 0.5, 4000), 8);
  });

  it('conditional samples of a 2-D circuit follow the conditional (mean by numerical integration)', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 1) inputs Normal sum real(units = 3) })', reals(2), 5);
    const xs = squaredSample(s, 4000, new Rng(1), Float64Array.of(0.5, NaN));
    let mean = 0;
    for (let i = 0; i < 4000; i++) {
      expect(xs[i * 2]).toBe(0.5);
      mean += xs[i * 2 + 1]! / 4000;
    }
    const den = simpson((b) => Math.exp(lp(s, 0.5, b)), -12, 12, 800);
    const ref = simpson((b) => b * Math.exp(lp(s, 0.5, b)), -12, 12, 800) / den;
    const sd = Math.sqrt(simpson((b) => (b - ref) ** 2 * Math.exp(lp(s, 0.5, b)), -12, 12, 800) / den);
    expect(Math.abs(mean - ref)).toBeLessThan((4 * sd) / Math.sqrt(4000));
  });

  it('mode: gradient ascent finds the grid maximum of a bimodal 1-D density', () => {
    const s = squaredMixture([1, -0.9], [[0], [0]], [[1.5], [0.6]]);
    const m = squaredMode(s, Float64Array.of(NaN), new Rng(0));
    let best = -Infinity;
    for (let x = -6; x <= 6; x += 0.001) best = Math.max(best, lp(s, x));
    expect(m.logDensity).toBeGreaterThan(best - 1e-6);
    expect(lp(s, m.point[0]!)).toBeCloseTo(m.logDensity, 12);
  });
});
