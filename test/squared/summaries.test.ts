// Interval probabilities and summaries (mean, sd, level probabilities) of squared circuits
// against numerical integration of the density (Simpson, as core.test.ts) and enumeration:
// square(...) of 1-D and 2-D Gaussian mixtures with negative weights, a tensorized circuit,
// sos(...) and c_plus * square(c), a bool circuit, and the query path through the session.
import { describe, expect, it } from 'vitest';
import { lowerModel } from '../../compiler/lower.js';
import type { IRVariable } from '../../ir/types.js';
import { Session } from '../../session/session.js';
import { ModelState } from '../../runtime/state.js';
import { squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { squaredIntervalLogProb, squaredSummaries } from '../../runtime/squared/summaries.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, modelState } from '../helpers/programs.js';
import { simpson, squaredMixture } from './helpers.js';

const lp = (s: ModelState, ...x: number[]): number => squaredLogDensity(s, Float64Array.from(x), 1)[0]!;
const dens = (s: ModelState, ...x: number[]): number => Math.exp(lp(s, ...x));
const none = (V: number): Float64Array => new Float64Array(V).fill(NaN);
const box = (s: ModelState, bounds: [number, number, number][], joint: number[], given: number[]): number =>
  Math.exp(squaredIntervalLogProb(s, bounds.map(([v, lower, upper]) => ({ v, lower, upper })), Float64Array.from(joint), Float64Array.from(given)));

const reals = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));
const bools = (k: number): IRVariable[] => Array.from({ length: k }, (_, i) => ({ name: `b${i}`, type: { kind: 'bool' } }));

/** A lowered squared circuit with random signed weights and random leaf parameters (as queries.test.ts). */
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
      else if (p.param.kind === 'positive' || p.param.kind === 'spd') vals[i] = 0.3 + rng.uniform();
      else if (p.param.kind === 'identity') vals[i] = 3 * rng.uniform() - 1.5;
    }
  }
  return s;
}

/** The 1-D moments E[x], sd[x] of a density on [-L, L] by Simpson. */
function moments1(f: (x: number) => number, L = 15, m = 6000): { mass: number; mean: number; sd: number } {
  const mass = simpson(f, -L, L, m);
  const mean = simpson((x) => x * f(x), -L, L, m) / mass;
  const sd = Math.sqrt(simpson((x) => (x - mean) ** 2 * f(x), -L, L, m) / mass);
  return { mass, mean, sd };
}

describe('squared circuits: interval probabilities', () => {
  it('1-D subtractive mixture: P(x in [a, b]) equals the integral of the density to 1e-6', () => {
    const s = squaredMixture([1, -0.6, 0.5], [[0], [0], [2]], [[1], [0.5], [0.6]]);
    for (const [a, b] of [[-0.5, 1.3], [-3, -0.2], [0.1, 0.2], [1.5, 9], [-40, 40]] as [number, number][]) {
      const ref = simpson((x) => dens(s, x), a, b, 4000);
      expect(Math.abs(box(s, [[0, a, b]], [NaN], [NaN]) - ref), `[${a}, ${b}]`).toBeLessThan(1e-6);
    }
    expect(box(s, [[0, 1, 1]], [NaN], [NaN])).toBe(0);
    // one-sided (huge ends) is the CDF
    const cdf = simpson((x) => dens(s, x), -15, 0.7, 4000);
    expect(Math.abs(box(s, [[0, -1e300, 0.7]], [NaN], [NaN]) - cdf)).toBeLessThan(1e-6);
  });

  it('2-D diag mixture: boxes, marginal intervals and intervals given the other variable', () => {
    const s = squaredMixture([1.0, -0.7, 0.4], [[0, 0], [0.2, -0.1], [1.5, 1]], [[1.2, 0.9], [0.5, 0.6], [0.4, 0.8]]);
    // both boxed
    const ref2 = simpson((x) => simpson((y) => dens(s, x, y), -0.4, 1.1, 200), -1, 0.5, 200);
    expect(Math.abs(box(s, [[0, -1, 0.5], [1, -0.4, 1.1]], [NaN, NaN], [NaN, NaN]) - ref2)).toBeLessThan(1e-6);
    // x0 boxed, x1 marginalized
    const ref1 = simpson((x) => simpson((y) => dens(s, x, y), -10, 10, 300), 0.3, 2, 200);
    expect(Math.abs(box(s, [[0, 0.3, 2]], [NaN, NaN], [NaN, NaN]) - ref1)).toBeLessThan(1e-6);
    // with x1 = 0.4 assigned (a density in x1 times a mass in x0): p(x0 in [0.3, 2], x1 = 0.4)
    const refj = simpson((x) => dens(s, x, 0.4), 0.3, 2, 2000);
    expect(Math.abs(box(s, [[0, 0.3, 2]], [NaN, 0.4], [NaN, NaN]) - refj)).toBeLessThan(1e-6);
    // conditional: P(x0 in [0.3, 2] | x1 = 0.4)
    const marg = simpson((x) => dens(s, x, 0.4), -12, 12, 4000);
    expect(Math.abs(box(s, [[0, 0.3, 2]], [NaN, 0.4], [NaN, 0.4]) - refj / marg)).toBeLessThan(1e-6);
  });

  it('tensorized circuit (Hadamard, 2 variables, random signed weights): a box and a conditional interval', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 1) inputs Normal sum real(units = 3) })', reals(2), 7);
    const ref = simpson((x) => simpson((y) => dens(s, x, y), -0.5, 1.5, 200), -1.2, 0.4, 200);
    expect(Math.abs(box(s, [[0, -1.2, 0.4], [1, -0.5, 1.5]], [NaN, NaN], [NaN, NaN]) - ref)).toBeLessThan(1e-6);
    const num = simpson((y) => dens(s, -0.3, y), -0.5, 1.5, 2000);
    const den = simpson((y) => dens(s, -0.3, y), -12, 12, 4000);
    expect(Math.abs(box(s, [[1, -0.5, 1.5]], [-0.3, NaN], [-0.3, NaN]) - num / den)).toBeLessThan(1e-6);
  });

  it('sos(...) and c_plus * square(c): intervals equal the integral of the density', () => {
    const sos = modelState(
      'model S(x0) = sos(mixture(weights = [1, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0.3, sd = 0.5) }, mixture(weights = [0.8, -0.4]) { Normal(mean = -1.5, sd = 0.6), Normal(mean = 0.2, sd = 0.3) })',
      'S',
    );
    const times = modelState(
      'model P(x0) = mixture(weights = [0.3, 0.7]) { Normal(mean = 0.5, sd = 1.5), Normal(mean = -1, sd = 0.8) }\nmodel S(x0) = P * square(mixture(weights = [1, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0.3, sd = 0.5) })',
      'S',
    );
    for (const s of [sos, times]) {
      const ref = simpson((x) => dens(s, x), -0.8, 0.9, 4000);
      expect(Math.abs(box(s, [[0, -0.8, 0.9]], [NaN], [NaN]) - ref)).toBeLessThan(1e-6);
      const m = moments1((x) => dens(s, x));
      const r = squaredSummaries(s, [0], none(1));
      expect(Math.abs(r.summary[0]!.mean! - m.mean)).toBeLessThan(1e-6);
      expect(Math.abs(r.summary[0]!.sd! - m.sd)).toBeLessThan(1e-6);
    }
  });
});

describe('squared circuits: means, sds and level probabilities', () => {
  it('1-D subtractive mixture: mean and sd equal numerical integration', () => {
    const s = squaredMixture([1, -0.6, 0.5], [[0], [0], [2]], [[1], [0.5], [0.6]]);
    const m = moments1((x) => dens(s, x));
    expect(m.mass).toBeCloseTo(1, 8);
    const r = squaredSummaries(s, [0], none(1));
    expect(r.logEvidence).toBeCloseTo(0, 12);
    expect(Math.abs(r.summary[0]!.mean! - m.mean)).toBeLessThan(1e-6);
    expect(Math.abs(r.summary[0]!.sd! - m.sd)).toBeLessThan(1e-6);
  });

  it('2-D diag mixture: marginal and conditional means and sds', () => {
    const s = squaredMixture([1.0, -0.7, 0.4], [[0, 0], [0.2, -0.1], [1.5, 1]], [[1.2, 0.9], [0.5, 0.6], [0.4, 0.8]]);
    // marginal of x1 (x0 integrated out by the product circuit, itself checked against
    // numerical integration in queries.test.ts), then its moments numerically
    const m1 = moments1((y) => dens(s, NaN, y), 12, 4000);
    const r = squaredSummaries(s, [0, 1], none(2));
    expect(Math.abs(r.summary[1]!.mean! - m1.mean)).toBeLessThan(1e-6);
    expect(Math.abs(r.summary[1]!.sd! - m1.sd)).toBeLessThan(1e-6);
    // conditional of x0 given x1 = -0.5
    const c = moments1((x) => dens(s, x, -0.5), 12, 4000);
    const rc = squaredSummaries(s, [0], Float64Array.of(NaN, -0.5));
    expect(Math.abs(rc.summary[0]!.mean! - c.mean)).toBeLessThan(1e-6);
    expect(Math.abs(rc.summary[0]!.sd! - c.sd)).toBeLessThan(1e-6);
    expect(rc.logEvidence).toBeCloseTo(Math.log(c.mass), 8);
  });

  it('tensorized circuit over 3 variables: a conditional mean with one variable marginalized', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 2) inputs Normal sum real(units = 2) })', reals(3), 13);
    // E[x2 | x0 = 0.2], x1 integrated out: densities of (x0 = 0.2, x2) via the exact marginal
    const f = (z: number): number => dens(s, 0.2, NaN, z);
    const m = moments1(f, 12, 4000);
    const r = squaredSummaries(s, [2], Float64Array.of(0.2, NaN, NaN));
    expect(Math.abs(r.summary[0]!.mean! - m.mean)).toBeLessThan(1e-6);
    expect(Math.abs(r.summary[0]!.sd! - m.sd)).toBeLessThan(1e-6);
  });

  it('bool circuit: level probabilities equal enumeration, marginal and conditional', () => {
    const s = randomSquared('square(circuit { region random_tree(depth = 2) inputs Bernoulli sum real(units = 3) product kronecker })', bools(4), 3);
    const joint = new Map<number, number>();
    for (let m = 0; m < 16; m++) joint.set(m, dens(s, ...Array.from({ length: 4 }, (_, j) => (m >> j) & 1)));
    // P(b2 = 1 | b0 = 1)
    let num = 0;
    let den = 0;
    for (const [m, p] of joint) {
      if ((m & 1) !== 1) continue;
      den += p;
      if ((m >> 2) & 1) num += p;
    }
    const r = squaredSummaries(s, [2, 3], Float64Array.of(1, NaN, NaN, NaN));
    expect(r.summary[0]!.probs!['true']).toBeCloseTo(num / den, 10);
    expect(r.summary[0]!.probs!['false']).toBeCloseTo(1 - num / den, 10);
    expect(r.logEvidence).toBeCloseTo(Math.log(den), 10);
    let p3 = 0;
    for (const [m, p] of joint) if ((m & 1) === 1 && (m >> 3) & 1) p3 += p;
    expect(r.summary[1]!.probs!['true']).toBeCloseTo(p3 / den, 10);
  });
});

describe('squared circuits: the query path', () => {
  const model = 'model S(x, y) = square(mixture(weights = [1.0, -0.7]) { Normal(diag, mean = [0, 0], sd = [1.2, 0.9]), Normal(diag, mean = [0.2, -0.1], sd = [0.5, 0.6]) })';
  const ask = (q: string): ReturnType<Session['query']> => {
    const p = compileOk(`${model}\nquery S: ${q}`);
    const st = p.steps[0]!;
    if (st.kind !== 'query') throw new Error('expected a query');
    return new Session(p).query('S', st.query);
  };
  const s = modelState(model, 'S');

  it('p(x in [a, b] | y = v) answers the conditional probability', () => {
    const a = ask('p(x in [0, 1] | y = 0.5)');
    const ref = simpson((x) => dens(s, x, 0.5), 0, 1, 2000) / simpson((x) => dens(s, x, 0.5), -12, 12, 4000);
    expect(a.kind).toBe('density');
    if (a.kind === 'density') {
      expect(a.conditional).toBe(true);
      expect(Math.abs(a.value - ref)).toBeLessThan(1e-6);
    }
  });

  it('mean(...) and p(x | ...) answer summaries; posterior stays refused', () => {
    const c = moments1((x) => dens(s, x, 0.5), 12, 4000);
    const m = ask('mean(x | y = 0.5)');
    expect(m.kind).toBe('mean');
    if (m.kind === 'mean') expect(Math.abs(m.summary[0]!.mean! - c.mean)).toBeLessThan(1e-6);
    const d = ask('p(x | y = 0.5)');
    expect(d.kind).toBe('distribution');
    if (d.kind === 'distribution') {
      expect(d.vars).toEqual(['x']);
      expect(Math.abs(d.summary[0]!.sd! - c.sd)).toBeLessThan(1e-6);
      expect(d.logEvidence!).toBeCloseTo(Math.log(c.mass), 8);
    }
    const all = ask('mean()');
    if (all.kind === 'mean') expect(all.summary.map((v) => v.name)).toEqual(['x', 'y']);
    expect(() => ask('posterior(x = 0.1)')).toThrow(/posterior queries of squared circuits are not available yet/);
    expect(() => ask('mean(x | x = 0.5)')).toThrow(/both asked for and given/);
  });
});
