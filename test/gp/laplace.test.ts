// The Laplace approximation against R&W Algorithms 3.1/3.2 written out in the test (plain
// arrays, a textbook Cholesky), its analytic gradient (Algorithm 5.1 and the mean and
// likelihood-parameter terms) against central finite differences, and each likelihood's
// derivatives against finite differences of its log density.
import { describe, expect, it } from 'vitest';
import type { KernelExpr } from '../../ir/types.js';
import { laplaceLml } from '../../runtime/gp/laplace.js';
import { predict } from '../../runtime/gp/predict.js';
import { withTrainingData } from '../../runtime/gp/fit.js';
import { GPCore } from '../../runtime/gp/core.js';
import { getLikelihood, type LikDerivs } from '../../stdlib/likelihoods/index.js';
import { normalCdf, lgamma } from '../../stdlib/special.js';
import { base, lcg } from './helpers.js';
import { dataOf, likState, rwLaplace } from './laplace-helpers.js';

const kernel: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };
const rbf = (a: number[], b: number[], s: number, ls: number): number => s * Math.exp(-0.5 * a.reduce((t, v, d) => t + ((v - b[d]!) / ls) ** 2, 0));

function points(n: number, seed: number, dims = 1): number[][] {
  const r = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: dims }, () => 4 * r() - 2));
}

describe('likelihood derivatives', () => {
  const cases: [string, string, number[], number[]][] = [
    ['bernoulli', 'logit', [], [0, 1]],
    ['bernoulli', 'probit', [], [0, 1]],
    ['poisson', 'log', [], [0, 3, 17]],
    ['student_t', 'identity', [0.7, 3.5], [-2, 0.3, 4]],
  ];
  for (const [name, link, theta, ys] of cases) {
    it(`${name} (${link}): d1, d2, d3 are finite differences of lp`, () => {
      const lik = getLikelihood(name)!;
      const at = (y: number, f: number): LikDerivs => {
        const o = { lp: 0, d1: 0, d2: 0, d3: 0 };
        lik.derivs(y, f, link, theta, o);
        return o;
      };
      const h = 1e-5;
      for (const y of ys) {
        for (const f of [-2.5, -0.4, 0, 0.9, 3]) {
          const c = at(y, f);
          const p = at(y, f + h);
          const m = at(y, f - h);
          expect(c.d1).toBeCloseTo((p.lp - m.lp) / (2 * h), 6);
          expect(c.d2).toBeCloseTo((p.d1 - m.d1) / (2 * h), 6);
          expect(c.d3).toBeCloseTo((p.d2 - m.d2) / (2 * h), 6);
        }
      }
    });
  }
  it('closed forms: logit, probit, poisson and student_t log densities', () => {
    const o = { lp: 0, d1: 0, d2: 0, d3: 0 };
    getLikelihood('bernoulli')!.derivs(1, 0.8, 'logit', [], o);
    expect(o.lp).toBeCloseTo(Math.log(1 / (1 + Math.exp(-0.8))), 14);
    getLikelihood('bernoulli')!.derivs(0, 0.8, 'probit', [], o);
    expect(o.lp).toBeCloseTo(Math.log(1 - normalCdf(0.8)), 14);
    getLikelihood('bernoulli')!.derivs(1, -40, 'probit', [], o); // far tail: log Phi(-40) ~ -804.6
    expect(o.lp).toBeCloseTo(-800 - Math.log(40) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / 1600 + 3 / 1600 ** 2), 8);
    getLikelihood('poisson')!.derivs(4, 1.2, 'log', [], o);
    expect(o.lp).toBeCloseTo(4 * 1.2 - Math.exp(1.2) - Math.log(24), 13);
    getLikelihood('student_t')!.derivs(1.5, 0.2, 'identity', [0.7, 3.5], o);
    const t = 1.3 / 0.7;
    expect(o.lp).toBeCloseTo(lgamma(2.25) - lgamma(1.75) - 0.5 * Math.log(3.5 * Math.PI) - Math.log(0.7) - 2.25 * Math.log1p((t * t) / 3.5), 13);
  });
  it('student_t: the scale derivatives are finite differences', () => {
    const lik = getLikelihood('student_t')!;
    const h = 1e-6;
    for (const [y, f] of [[0.3, -1], [2, 0.5], [-4, 0.1]] as const) {
      const pd = lik.paramDerivs!(y, f, 'identity', [0.7, 3.5], 0);
      const p = { lp: 0, d1: 0, d2: 0, d3: 0 };
      const m = { lp: 0, d1: 0, d2: 0, d3: 0 };
      lik.derivs(y, f, 'identity', [0.7 + h, 3.5], p);
      lik.derivs(y, f, 'identity', [0.7 - h, 3.5], m);
      expect(pd.lp).toBeCloseTo((p.lp - m.lp) / (2 * h), 6);
      expect(pd.d1).toBeCloseTo((p.d1 - m.d1) / (2 * h), 6);
      expect(pd.d2).toBeCloseTo((p.d2 - m.d2) / (2 * h), 6);
    }
  });
});

describe('Laplace at a fixed kernel equals R&W Algorithms 3.1 and 3.2', () => {
  const S = 2.3;
  const LS = 0.7;
  const xs = points(30, 7);
  const test = points(6, 8);
  const K = xs.map((a) => xs.map((b) => rbf(a, b, S, LS)));
  const Ks = test.map((a) => xs.map((b) => rbf(a, b, S, LS)));
  const kss = test.map((a) => rbf(a, a, S, LS));
  const truth = xs.map(([x]) => Math.sin(2 * x!));
  const r = lcg(3);
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const cases: { name: string; link: string; y: number[]; lik: (y: number, f: number) => [number, number, number] }[] = [
    {
      name: 'bernoulli', link: 'logit', y: truth.map((f) => (r() < sig(2 * f) ? 1 : 0)),
      lik: (y, f) => { const p = sig(f); return [y === 1 ? Math.log(p) : Math.log(1 - p), y - p, -p * (1 - p)]; },
    },
    {
      name: 'bernoulli', link: 'probit', y: truth.map((f) => (r() < normalCdf(2 * f) ? 1 : 0)),
      lik: (y, f) => {
        const s = 2 * y - 1;
        const z = s * f;
        const Phi = normalCdf(z);
        const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
        return [Math.log(Phi), (s * phi) / Phi, -(phi * phi) / (Phi * Phi) - (z * phi) / Phi];
      },
    },
    {
      name: 'poisson', link: 'log', y: truth.map((f) => Math.round(Math.exp(f + 0.5) + r())),
      lik: (y, f) => [y * f - Math.exp(f) - lgamma(y + 1), y - Math.exp(f), -Math.exp(f)],
    },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.link}): log marginal likelihood, latent mean and variance to 1e-8`, () => {
      const ref = rwLaplace(K, c.y, c.lik, Ks, kss);
      const { state, core } = likState(kernel, { s: { value: [S] }, ls: { value: [LS] } }, { name: c.name, link: c.link });
      const d = dataOf(xs, c.y);
      const got = laplaceLml(core, d, false);
      expect(Math.abs(got.lml - ref.lml)).toBeLessThan(1e-8);
      const fitted = withTrainingData(state, d);
      const p = predict(fitted, Float64Array.from(test.flat()), test.length);
      for (let i = 0; i < test.length; i++) {
        expect(Math.abs(p.mean[i]! - ref.mean[i]!)).toBeLessThan(1e-8);
        expect(Math.abs(p.varF[i]! - ref.variance[i]!)).toBeLessThan(1e-8);
      }
    });
  }
});

describe('the Laplace gradient is the finite difference of the approximate log marginal likelihood', () => {
  const xs = points(25, 11, 2);
  const r = lcg(5);
  const truth = xs.map(([a, b]) => Math.sin(2 * a!) + 0.5 * b!);
  const cases: { name: string; link: string; y: number[]; lik?: Record<string, { value: number[]; fixed?: boolean }> }[] = [
    { name: 'bernoulli', link: 'logit', y: truth.map((f) => (r() < 1 / (1 + Math.exp(-2 * f)) ? 1 : 0)) },
    { name: 'bernoulli', link: 'probit', y: truth.map((f) => (r() < normalCdf(f) ? 1 : 0)) },
    { name: 'poisson', link: 'log', y: truth.map((f) => Math.round(Math.exp(f) * (1 + r()))) },
    // Outliers make W negative at some points: the LU path.
    { name: 'student_t', link: 'identity', y: truth.map((f, i) => f + 0.1 * (r() - 0.5) + (i % 7 === 0 ? 6 : 0)), lik: { lik_scale: { value: [0.2] }, lik_df: { value: [3], fixed: true } } },
  ];
  for (const c of cases) {
    it(`${c.name} (${c.link}): kernel, ARD lengthscales, constant mean${c.lik ? ', scale' : ''}`, () => {
      const { core } = likState(kernel, { s: { value: [1.4] }, ls: { value: [0.8, 1.3] }, c: { value: [0.3], identity: true } } as never, { name: c.name, link: c.link, ...(c.lik ? { params: c.lik } : {}) }, { inputs: 2, mean: { kind: 'constant', c: 'c' } });
      const d = dataOf(xs, c.y);
      const res = laplaceLml(core, d, true);
      const g = core.packGrad(res.grad!);
      const theta = core.pack();
      const h = 1e-5;
      for (let k = 0; k < theta.length; k++) {
        const at = (delta: number): number => {
          const t = Float64Array.from(theta);
          t[k] += delta;
          core.unpack(t);
          return laplaceLml(core, d, false).lml;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        core.unpack(theta);
        expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
      if (c.name === 'student_t') {
        const w = res.mode.f.map((f, i) => { const o = { lp: 0, d1: 0, d2: 0, d3: 0 }; getLikelihood('student_t')!.derivs(c.y[i]!, f, 'identity', [0.2, 3], o); return -o.d2; });
        expect(w.some((v) => v < 0)).toBe(true);
      }
    });
  }
});

describe('GPCore with a likelihood', () => {
  it('counts the likelihood parameters among the hyperparameters', () => {
    const { core } = likState(kernel, { s: { value: [1] }, ls: { value: [1] } }, { name: 'student_t', link: 'identity', params: { lik_scale: { value: [0.5] }, lik_df: { value: [4], fixed: true } } });
    expect(core.hyperNames).toContain('lik_scale');
    expect(core.free.map((h) => h.name)).toEqual(['s', 'ls', 'lik_scale']);
    expect(new GPCore(core.state, core.node).dim).toBe(3);
  });
});

describe('class probabilities: the integral of the link over the latent marginal', () => {
  // Independent: the composite Simpson rule on [mu - 12 sd, mu + 12 sd] with 20,000 panels.
  const simpson = (g: (f: number) => number, mu: number, v: number): number => {
    const sd = Math.sqrt(v);
    const lo = mu - 12 * sd;
    const h = (24 * sd) / 20000;
    let s = 0;
    for (let k = 0; k <= 20000; k++) {
      const f = lo + k * h;
      const w = k === 0 || k === 20000 ? 1 : k % 2 ? 4 : 2;
      s += w * g(f) * Math.exp(-0.5 * ((f - mu) / sd) ** 2);
    }
    return (s * h) / 3 / (sd * Math.sqrt(2 * Math.PI));
  };
  it('logit by 64-point Gauss-Hermite and probit in closed form, to 1e-8', async () => {
    const { classProbability } = await import('../../runtime/gp/predictive.js');
    for (const [mu, v] of [[0.3, 0.01], [-1.2, 1], [2.5, 9], [0.7, 49], [-4, 100]] as const) {
      expect(Math.abs(classProbability('logit', mu, v) - simpson((f) => 1 / (1 + Math.exp(-f)), mu, v))).toBeLessThan(1e-8);
      expect(Math.abs(classProbability('probit', mu, v) - simpson(normalCdf, mu, v))).toBeLessThan(1e-8);
    }
  });
  it('log predictive probabilities of counts and student_t outputs, to 1e-8', async () => {
    const { logPredictiveProb } = await import('../../runtime/gp/predictive.js');
    const pois = { lik: getLikelihood('poisson')!, link: 'log', theta: [] };
    const st = { lik: getLikelihood('student_t')!, link: 'identity', theta: [0.05, 3] };
    const dens = (l: typeof pois, y: number) => (f: number): number => { const o = { lp: 0, d1: 0, d2: 0, d3: 0 }; l.lik.derivs(y, f, l.link, l.theta, o); return Math.exp(o.lp); };
    for (const [y, mu, v] of [[3, 0.5, 4], [40, 3.2, 0.3], [0, -1, 2]] as const) {
      expect(Math.abs(logPredictiveProb(pois, y, mu, v) - Math.log(simpson(dens(pois, y), mu, v)))).toBeLessThan(1e-8);
    }
    for (const [y, mu, v] of [[0.4, 0.1, 1], [2, 0, 0.01]] as const) {
      expect(Math.abs(logPredictiveProb(st, y, mu, v) - Math.log(simpson(dens(st, y), mu, v)))).toBeLessThan(1e-8);
    }
  });
});
