// Circuits over 1-2 real variables with Normal leaves (full and diagonal covariances), checked
// against numerical integration: they integrate to 1 (trapezoid rule on a wide grid, which is
// spectrally accurate for smooth densities that vanish at the ends), marginals equal the
// integral of the joint, interval probabilities (with evidence, and over both variables of a
// full-covariance leaf) equal Simpson's rule on the box, expectations and MAP are consistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IRGraph } from '../../../ir/types.js';
import { logDensityRows } from '../../../runtime/evaluate.js';
import { expectations } from '../../../runtime/queries/expectation.js';
import { intervalLogProb } from '../../../runtime/queries/interval.js';
import { mapState } from '../../../runtime/queries/map.js';
import { summarize } from '../../../runtime/queries/moments.js';
import { sampleRows } from '../../../runtime/queries/sample.js';
import type { ModelState } from '../../../runtime/state.js';
import { Rng } from '../../../stdlib/random.js';
import { circuitArb, referenceLogJoint, stateOf } from '../../helpers/random-circuits.js';
import { modelState } from '../../helpers/programs.js';
import { ask } from './ask.js';

const arb1 = circuitArb({ kind: 'continuous', maxVars: 1 });
const arb2 = circuitArb({ kind: 'continuous', minVars: 2, maxVars: 2 });
const R = 12;
const H = 0.1;

/** Density at many points (rows of V values), in chunks. */
function density(s: ModelState, pts: Float64Array, V: number): Float64Array {
  const n = pts.length / V;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 20000) {
    const m = Math.min(20000, n - i);
    const lp = logDensityRows(s, pts.subarray(i * V, (i + m) * V), m);
    for (let k = 0; k < m; k++) out[i + k] = Math.exp(lp[k]!);
  }
  return out;
}

/** Simpson weights on [a, b] with m (even) panels. */
function simpson(a: number, b: number, m: number): { x: number[]; w: number[] } {
  const h = (b - a) / m;
  const x = Array.from({ length: m + 1 }, (_, i) => a + i * h);
  const w = x.map((_, i) => ((i === 0 || i === m ? 1 : i % 2 ? 4 : 2) * h) / 3);
  return { x, w };
}

/** The integral of f(x0, x1) over a grid product (x weights per axis); NaN in a row = marginalized. */
function integrate2(s: ModelState, ax: { x: number[]; w: number[] }, ay: { x: number[]; w: number[] }): number {
  const pts = new Float64Array(ax.x.length * ay.x.length * 2);
  let k = 0;
  for (const x of ax.x) for (const y of ay.x) ((pts[k++] = x), (pts[k++] = y));
  const d = density(s, pts, 2);
  let total = 0;
  k = 0;
  for (const wx of ax.w) for (const wy of ay.w) total += wx * wy * d[k++]!;
  return total;
}

const grid = (): { x: number[]; w: number[] } => {
  const x = Array.from({ length: Math.round((2 * R) / H) + 1 }, (_, i) => -R + i * H);
  return { x, w: x.map(() => H) };
};

function box(rng: Rng): [number, number] {
  const a = -2.5 + 4 * rng.uniform();
  return [a, a + 0.2 + 2 * rng.uniform()];
}

describe('continuous circuits', () => {
  it('over one variable: integrate to 1, and P(a < x < b) equals Simpson on [a, b]', () => {
    fc.assert(
      fc.property(arb1, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const g1 = grid();
        const d = density(s, Float64Array.from(g1.x), 1);
        expect(d.reduce((acc, v) => acc + v * H, 0)).toBeCloseTo(1, 7);
        const [a, b] = box(new Rng(seed));
        const sp = simpson(a, b, 2000);
        const want = density(s, Float64Array.from(sp.x), 1).reduce((acc, v, i) => acc + v * sp.w[i]!, 0);
        expect(Math.abs(Math.exp(intervalLogProb(s, [{ v: 0, lower: a, upper: b }])) - want)).toBeLessThan(1e-6);
        const ans = ask(s, `p(x0 in [${a}, ${b}])`);
        if (ans.kind === 'density') expect(Math.abs(ans.value - want)).toBeLessThan(1e-6);
      }),
      { numRuns: 20 },
    );
  });

  it('over two variables: integrate to 1 and marginals equal the integral of the joint', () => {
    fc.assert(
      fc.property(arb2, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        expect(integrate2(s, grid(), grid())).toBeCloseTo(1, 6);
        // p(x0 = t) with x1 missing vs the integral of p(t, x1) over x1.
        const t = -2 + 4 * new Rng(seed).uniform();
        const marg = Math.exp(logDensityRows(s, Float64Array.of(t, NaN), 1)[0]!);
        const pts = new Float64Array(grid().x.flatMap((y) => [t, y]));
        const integral = density(s, pts, 2).reduce((acc, v) => acc + v * H, 0);
        expect(Math.abs(marg - integral)).toBeLessThan(1e-6);
        // The runtime's joint equals the reference evaluator's.
        expect(Math.abs(logDensityRows(s, Float64Array.of(t, 0.3), 1)[0]! - referenceLogJoint(g, [t, 0.3]))).toBeLessThan(1e-9);
      }),
      { numRuns: 10 },
    );
  });

  it('interval probabilities over two variables, over one with the other marginalized, and given evidence, equal Simpson', () => {
    fc.assert(
      fc.property(arb2, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const rng = new Rng(seed);
        const [a0, b0] = box(rng);
        const [a1, b1] = box(rng);
        const both = Math.exp(intervalLogProb(s, [{ v: 0, lower: a0, upper: b0 }, { v: 1, lower: a1, upper: b1 }]));
        expect(Math.abs(both - integrate2(s, simpson(a0, b0, 160), simpson(a1, b1, 160)))).toBeLessThan(1e-6);
        // x1 in [a1, b1] with x0 marginalized.
        const one = Math.exp(intervalLogProb(s, [{ v: 1, lower: a1, upper: b1 }]));
        expect(Math.abs(one - integrate2(s, grid(), simpson(a1, b1, 160)))).toBeLessThan(1e-6);
        // P(x1 in [a1, b1] | x0 = c) = integral of p(c, x1) over the box / p(x0 = c).
        const c = a0;
        const sp = simpson(a1, b1, 2000);
        const num = density(s, Float64Array.from(sp.x.flatMap((y) => [c, y])), 2).reduce((acc, v, i) => acc + v * sp.w[i]!, 0);
        const pc = Math.exp(logDensityRows(s, Float64Array.of(c, NaN), 1)[0]!);
        const ans = ask(s, `p(x1 in [${a1}, ${b1}] | x0 = ${c})`);
        expect(ans.kind).toBe('density');
        if (ans.kind === 'density') expect(Math.abs(ans.value - num / pc)).toBeLessThan(1e-6);
      }),
      { numRuns: 10 },
    );
  });

  it('a box over both variables of full-covariance leaves (a compiled mixture) equals Simpson, also by query', () => {
    const s = modelState(
      `model G(x, y) = mixture(weights = [0.3, 0.7]) {
        Normal(mean = [0, 1], cov = [[1, 0.5], [0.5, 2]]),
        Normal(mean = [3, -1], cov = [[0.5, -0.2], [-0.2, 1]]) }`,
      'G',
    );
    for (const [a0, b0, a1, b1] of [[0, 1, -1, 2], [-3, 4, 0.5, 0.7], [2, 2.5, -5, 5]] as const) {
      const want = integrate2(s, simpson(a0, b0, 200), simpson(a1, b1, 200));
      const got = Math.exp(intervalLogProb(s, [{ v: 0, lower: a0, upper: b0 }, { v: 1, lower: a1, upper: b1 }]));
      expect(Math.abs(got - want)).toBeLessThan(1e-7);
      const ans = ask(s, `logp(x in [${a0}, ${b0}], y in [${a1}, ${b1}])`);
      if (ans.kind === 'density') expect(Math.abs(ans.value - Math.log(want))).toBeLessThan(1e-6);
    }
  });

  it('E[x_v] and E[x_v | e] equal numerical integration; moments.ts agrees unconditionally', () => {
    fc.assert(
      fc.property(arb2, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const gx = grid();
        const pts = new Float64Array(gx.x.length ** 2 * 2);
        let k = 0;
        for (const x of gx.x) for (const y of gx.x) ((pts[k++] = x), (pts[k++] = y));
        const d = density(s, pts, 2);
        let m0 = 0;
        let m1 = 0;
        let s0 = 0;
        for (let i = 0; i < d.length; i++) {
          m0 += d[i]! * pts[2 * i]! * H * H;
          m1 += d[i]! * pts[2 * i + 1]! * H * H;
          s0 += d[i]! * pts[2 * i]! ** 2 * H * H;
        }
        const e = expectations(s, [0, 1]);
        expect(Math.abs(e.mean[0]! - m0)).toBeLessThan(1e-6);
        expect(Math.abs(e.mean[1]! - m1)).toBeLessThan(1e-6);
        expect(Math.abs(e.sd[0]! - Math.sqrt(s0 - m0 * m0))).toBeLessThan(1e-6);
        const sum = summarize(s, [0, 1]);
        expect(Math.abs(sum[0]!.mean! - m0)).toBeLessThan(1e-6);
        expect(Math.abs(sum[0]!.sd! - Math.sqrt(s0 - m0 * m0))).toBeLessThan(1e-6);
        // Given x0 = c: E[x1 | c] = integral of y p(c, y) / integral of p(c, y).
        const c = -1 + 2 * new Rng(seed).uniform();
        const line = density(s, Float64Array.from(gx.x.flatMap((y) => [c, y])), 2);
        const z = line.reduce((acc, v) => acc + v, 0);
        const ey = line.reduce((acc, v, i) => acc + v * gx.x[i]!, 0) / z;
        const ec = expectations(s, [1], Float64Array.of(c, NaN));
        expect(Math.abs(ec.mean[0]! - ey)).toBeLessThan(1e-6);
        const q = ask(s, `mean(x1 | x0 = ${c})`);
        if (q.kind === 'mean') expect(Math.abs(q.summary[0]!.mean! - ey)).toBeLessThan(1e-6);
      }),
      { numRuns: 10 },
    );
  });

  it('MAP uses leaf modes: maxProduct <= log p(point), and no grid point beats an exact answer', () => {
    fc.assert(
      fc.property(arb2, (g: IRGraph) => {
        const s = stateOf(g);
        const m = mapState(s);
        expect(m.maxProduct).toBeLessThanOrEqual(m.logDensity + 1e-9);
        expect(Math.abs(m.logDensity - referenceLogJoint(g, m.point))).toBeLessThan(1e-9);
        const cond = mapState(s, Float64Array.of(0.5, NaN));
        expect(cond.point[0]).toBe(0.5);
        expect(cond.maxProduct).toBeLessThanOrEqual(cond.logDensity + 1e-9);
      }),
      { numRuns: 10 },
    );
  });

  it('conditional samples have the conditional mean (within 5 standard errors)', () => {
    fc.assert(
      fc.property(arb2, fc.integer(), (g, seed) => {
        const s = stateOf(g);
        const c = -1 + 2 * new Rng(seed).uniform();
        const n = 4000;
        const draws = sampleRows(s, n, new Rng(seed), Float64Array.of(c, NaN));
        let mean = 0;
        for (let i = 0; i < n; i++) {
          expect(draws[2 * i]).toBe(c);
          mean += draws[2 * i + 1]! / n;
        }
        const e = expectations(s, [1], Float64Array.of(c, NaN));
        expect(Math.abs(mean - e.mean[0]!)).toBeLessThan((5 * e.sd[0]!) / Math.sqrt(n));
      }),
      { numRuns: 10 },
    );
  });
});
