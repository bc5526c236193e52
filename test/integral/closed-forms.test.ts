// Quadrature of known continuous mixtures against closed forms and against high-precision
// numerical integration written here (composite Simpson), and the analytic linear-Gaussian pass.
import { describe, expect, it } from 'vitest';
import { logDensityRows } from '../../runtime/evaluate.js';
import { modelState, logNormal2 } from '../helpers/programs.js';

/** Standard normal CDF by its own series/continued fraction-free route: erf via Abramowitz-Stegun is too coarse, so integrate. */
function phi(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Composite Simpson on [a, b] with m (even) intervals. */
function simpson(f: (t: number) => number, a: number, b: number, m: number): number {
  const h = (b - a) / m;
  let s = f(a) + f(b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

const normalPdf = (x: number, m: number, sd: number): number => phi((x - m) / sd) / sd;

function logp(text: string, xs: number[][]): number[] {
  const state = modelState(text, 'M');
  const flat = Float64Array.from(xs.flat());
  return Array.from(logDensityRows(state, flat, xs.length));
}

describe('quadrature of continuous mixtures', () => {
  const xs = [-2.5, -1, -0.3, 0, 0.4, 1.2, 2.9];

  it('uniform latent, linear mean: Gauss-Legendre 64 matches the closed form to 1e-12', () => {
    // p(x) = 1/2 int_{-1}^{1} N(x | z, 0.5^2) dz = (Phi((x + 1) / 0.5) - Phi((x - 1) / 0.5)) / 2,
    // the difference of CDFs written as an integral of the density over the mean, done by Simpson at 1e-15.
    const text = `model M(x) = integral z: real in [-1, 1] by gauss_legendre(points = 64) of Normal(mean = z, sd = 0.5)`;
    const got = logp(text, xs.map((x) => [x]));
    xs.forEach((x, i) => {
      const exact = 0.5 * simpson((t) => normalPdf(x, t, 0.5), -1, 1, 20000);
      expect(Math.abs(got[i]! - Math.log(exact))).toBeLessThan(1e-12);
    });
  });

  it('nonlinear mean tanh(2z): every rule converges to the numerical integral as points grow', () => {
    const exact = xs.map((x) => 0.5 * simpson((t) => normalPdf(x, Math.tanh(2 * t), 0.2), -1, 1, 40000));
    for (const rule of ['gauss_legendre', 'trapezoid', 'midpoint']) {
      const errs = [8, 16, 32, 64, 128].map((k) => {
        const got = logp(`model M(x) = integral z: real in [-1, 1] by ${rule}(points = ${k}) of Normal(mean = tanh(2 * z), sd = 0.2)`, xs.map((x) => [x]));
        return Math.max(...got.map((g, i) => Math.abs(Math.exp(g) - exact[i]!)));
      });
      for (let i = 1; i < errs.length; i++) expect(errs[i]!).toBeLessThan(errs[i - 1]! + 1e-13);
      expect(errs[errs.length - 1]!).toBeLessThan(rule === 'gauss_legendre' ? 1e-10 : 1e-3);
    }
  });

  it('normal latent by Gauss-Hermite matches the linear-Gaussian marginal', () => {
    // sd learned (not fixed), so the analytic pass leaves it to quadrature. Gauss-Hermite is
    // exact for polynomials times the normal weight; the Gaussian factor N(x | a z + b, s^2)
    // is smooth on the scale s / a = 1.25, and the error falls fast with the points.
    const errs = [8, 16, 32, 64].map((k) => {
      const got = logp(`model M(x) = integral z: normal by gauss_hermite(points = ${k}) of Normal(mean = 0.8 * z + 1, sd = 1)`, xs.map((x) => [x]));
      return Math.max(...xs.map((x, i) => Math.abs(got[i]! - Math.log(normalPdf(x, 1, Math.sqrt(1.64))))));
    });
    for (let i = 1; i < errs.length; i++) expect(errs[i]!).toBeLessThanOrEqual(errs[i - 1]! + 1e-14);
    expect(errs[3]!).toBeLessThan(1e-10);
  });
});

describe('analytic linear-Gaussian pass', () => {
  it('replaces the integral by N(b, a^2 + s^2) exactly (1e-12)', () => {
    const text = `model M(x) = integral z: normal of Normal(mean = 2 * z + 1, sd = 0.5 fixed)`;
    const state = modelState(text, 'M');
    expect(state.graph.nodes.some((n) => n.kind === 'sum')).toBe(false);
    const got = logp(text, [[-3], [0.2], [1], [4.5]]);
    [-3, 0.2, 1, 4.5].forEach((x, i) => expect(Math.abs(got[i]! - Math.log(normalPdf(x, 1, Math.sqrt(4.25))))).toBeLessThan(1e-12));
  });

  it('a product of Normals over one latent becomes a full-covariance Gaussian (factor analysis)', () => {
    const text = `model M(x, y) = integral z: normal of product { x: Normal(mean = 2 * z + 1, sd = 0.5 fixed), y: Normal(mean = 3 - z, sd = 1 fixed) }`;
    const pts = [
      [0, 0],
      [1, 3],
      [-2, 4.5],
    ];
    const got = logp(text, pts);
    // cov = a a^T + diag(s^2) with a = (2, -1), s = (0.5, 1)
    const S = [
      [4.25, -2],
      [-2, 2],
    ];
    pts.forEach((p, i) => expect(Math.abs(got[i]! - logNormal2(p, [1, 3], S))).toBeLessThan(1e-12));
  });
});
