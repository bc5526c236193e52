// The math core: Z of squared Gaussian mixtures against the closed form, normalization by
// numerical integration, and reverse-mode gradients against central finite differences.
import { describe, expect, it } from 'vitest';
import { logPartition, squaredGradients, squaredLogDensity } from '../../runtime/squared/squared-model.js';
import { closedFormZ, mixtureC, simpson, squaredMixture } from './helpers.js';

describe('squared Gaussian mixtures: the partition function', () => {
  it('1-D, weights (1, -0.6): Z is the closed form to 1e-9 and p integrates to 1', () => {
    const w = [1, -0.6];
    const means = [[0], [0]];
    const sds = [[1], [0.5]];
    const s = squaredMixture(w, means, sds);
    const z = Math.exp(logPartition(s));
    // N(0 | 0, 2) - 1.2 N(0 | 0, 1.25) + 0.36 N(0 | 0, 0.5)
    const n0 = (v: number): number => 1 / Math.sqrt(2 * Math.PI * v);
    const ref = n0(2) - 1.2 * n0(1.25) + 0.36 * n0(0.5);
    expect(Math.abs(z - ref) / ref).toBeLessThan(1e-9);
    expect(Math.abs(z - closedFormZ(w, means, sds)) / ref).toBeLessThan(1e-9);
    const lp = (x: number): number => Math.exp(squaredLogDensity(s, Float64Array.of(x), 1)[0]!);
    expect(simpson(lp, -12, 12, 4000)).toBeCloseTo(1, 8);
  });

  it('1-D, four components with mixed signs and different means', () => {
    const w = [0.8, -0.5, 1.3, -0.2];
    const means = [[-1], [0.3], [2], [-2.5]];
    const sds = [[0.7], [0.4], [1.1], [0.3]];
    const s = squaredMixture(w, means, sds);
    const ref = closedFormZ(w, means, sds);
    expect(Math.abs(Math.exp(logPartition(s)) - ref) / ref).toBeLessThan(1e-9);
    const lp = (x: number): number => Math.exp(squaredLogDensity(s, Float64Array.of(x), 1)[0]!);
    expect(simpson(lp, -15, 15, 6000)).toBeCloseTo(1, 7);
    // the density is c(x)^2 / Z at any point
    for (const x of [-2, -0.1, 0.5, 3]) expect(lp(x)).toBeCloseTo(mixtureC(w, means, sds, [x]) ** 2 / ref, 10);
  });

  it('2-D diag components: Z to 1e-9 and p integrates to 1 on a grid', () => {
    const w = [1.0, -0.7, 0.4];
    const means = [[0, 0], [0.2, -0.1], [1.5, 1]];
    const sds = [[1.2, 0.9], [0.5, 0.6], [0.4, 0.8]];
    const s = squaredMixture(w, means, sds);
    const ref = closedFormZ(w, means, sds);
    expect(Math.abs(Math.exp(logPartition(s)) - ref) / ref).toBeLessThan(1e-9);
    const inner = (x: number): number => simpson((y) => Math.exp(squaredLogDensity(s, Float64Array.of(x, y), 1)[0]!), -9, 9, 300);
    expect(simpson(inner, -9, 9, 300)).toBeCloseTo(1, 6);
  });
});

describe('squared circuits: gradients', () => {
  it('match central finite differences of the weighted log-likelihood (weights, means, variances)', () => {
    const w = [0.9, -0.55, 0.3];
    const means = [[0.1, -0.4], [0.5, 0.2], [-1, 1]];
    const sds = [[1.1, 0.8], [0.6, 0.5], [0.7, 0.9]];
    const s = squaredMixture(w, means, sds);
    const x = Float64Array.of(0.3, -0.2, -1.1, 0.9, 1.4, NaN, NaN, 0.4);
    const rw = Float64Array.of(1, 0.5, 2, 1.5);
    const { grads, logLik } = squaredGradients(s, x, 4, rw);
    const ll = (): number => squaredLogDensity(s, x, 4).reduce((a, v, i) => a + rw[i]! * v, 0);
    expect(logLik).toBeCloseTo(ll(), 10);
    for (const [name, vals] of s.values) {
      for (let k = 0; k < vals.length; k++) {
        const h = 1e-6;
        const old = vals[k]!;
        vals[k] = old + h;
        const up = ll();
        vals[k] = old - h;
        const dn = ll();
        vals[k] = old;
        expect(grads.get(name)![k]!, `${name}[${k}]`).toBeCloseTo((up - dn) / (2 * h), 5);
      }
    }
  });
});
