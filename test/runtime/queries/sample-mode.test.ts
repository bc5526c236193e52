// Sampling draws from the model (moments match), and mode() finds the highest-density point.
import { describe, expect, it } from 'vitest';
import { sampleRows } from '../../../runtime/queries/sample.js';
import { findMode } from '../../../runtime/queries/mode.js';
import { logDensityRows } from '../../../runtime/evaluate.js';
import { Rng } from '../../../stdlib/random.js';
import { modelState } from '../../helpers/programs.js';

const G = modelState(
  `model G(x, y) = mixture(weights = [0.3, 0.7]) {
  Normal(mean = [0, 1], cov = [[1, 0.5], [0.5, 2]]),
  Normal(mean = [3, -1], cov = [[0.5, -0.2], [-0.2, 1]]) }`,
  'G',
);

describe('sampling', () => {
  it('sample means and covariance match the mixture moments', () => {
    const n = 40000;
    const s = sampleRows(G, n, new Rng(1));
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += s[2 * i]!;
      my += s[2 * i + 1]!;
    }
    mx /= n;
    my /= n;
    // E[x] = 0.3*0 + 0.7*3, E[y] = 0.3*1 + 0.7*(-1)
    expect(mx).toBeCloseTo(2.1, 1);
    expect(my).toBeCloseTo(-0.4, 1);
    let vx = 0;
    for (let i = 0; i < n; i++) vx += (s[2 * i]! - mx) ** 2;
    vx /= n;
    // Var[x] = E[Var] + Var[E] = 0.3*1 + 0.7*0.5 + 0.3*0.7*3^2
    expect(vx).toBeCloseTo(0.3 + 0.35 + 1.89, 1);
  });
});

describe('mode', () => {
  it('is the point of highest density: no better point on a fine grid', () => {
    const m = findMode(G);
    let best = -Infinity;
    const pts: number[] = [];
    for (let x = -3; x <= 6; x += 0.05) for (let y = -4; y <= 4; y += 0.05) pts.push(x, y);
    const lp = logDensityRows(G, Float64Array.from(pts), pts.length / 2);
    for (const v of lp) best = Math.max(best, v);
    expect(m.logDensity).toBeGreaterThanOrEqual(best - 1e-9);
    expect(m.point[0]).toBeCloseTo(3, 0);
  });

  it('of a Poisson mixture is an integer point', () => {
    const P = modelState(`model P(n) = mixture(weights = [0.5, 0.5]) { Poisson(rate = 2.5), Poisson(rate = 9) }`, 'P');
    const m = findMode(P);
    expect(Number.isInteger(m.point[0])).toBe(true);
    const lp = logDensityRows(P, Float64Array.from({ length: 30 }, (_, i) => i), 30);
    expect(m.logDensity).toBeCloseTo(Math.max(...lp), 12);
  });
});
