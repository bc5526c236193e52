// The sparse variational GP with non-Gaussian likelihoods: the expected log-likelihood by
// 20-point Gauss-Hermite against an independent integral, the ELBO's analytic gradient
// (kernel, mean, likelihood scale, inducing inputs) against finite differences at a fixed
// q(v), q's natural-gradient fixed point, and fits through the language that recover a known
// latent function (counts) and classify as the exact Laplace GP does.
import { describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import type { KernelExpr } from '../../ir/types.js';
import { gpLikelihood } from '../../runtime/gp/laplace.js';
import { expectedLogLik } from '../../runtime/gp/sparse-lik.js';
import { setOptimalQ, sparseElbo } from '../../runtime/gp/sparse.js';
import { getLikelihood } from '../../stdlib/likelihoods/index.js';
import { base, lcg } from './helpers.js';
import { dataOf, likState } from './laplace-helpers.js';

const kernel: KernelExpr = { op: 'scale', factor: 's', kernel: base('rbf', { ls: 'ls' }) };

describe('expected log-likelihood by Gauss-Hermite', () => {
  it('is near the integral; its mean and variance derivatives are finite differences of the rule', () => {
    const cases = [
      { lik: { lik: getLikelihood('bernoulli')!, link: 'logit', theta: [] }, y: 1 },
      { lik: { lik: getLikelihood('poisson')!, link: 'log', theta: [] }, y: 4 },
      { lik: { lik: getLikelihood('student_t')!, link: 'identity', theta: [0.8, 4] }, y: 0.3 },
    ];
    for (const c of cases) {
      for (const [mu, v] of [[0.2, 0.3], [-1, 1.5], [1.3, 0.05]] as const) {
        const out = { value: 0, dMu: 0, dVar: 0, curv: 0 };
        expectedLogLik(c.lik, c.y, mu, v, out);
        // Independent: Simpson on [mu - 10 sd, mu + 10 sd], 4,000 panels.
        const sd = Math.sqrt(v);
        const at = (m: number, s2: number): number => {
          const s = Math.sqrt(s2);
          const h = (20 * s) / 4000;
          let sum = 0;
          for (let k = 0; k <= 4000; k++) {
            const f = m - 10 * s + k * h;
            const o = { lp: 0, d1: 0, d2: 0, d3: 0 };
            c.lik.lik.derivs(c.y, f, c.lik.link, c.lik.theta, o);
            sum += (k === 0 || k === 4000 ? 1 : k % 2 ? 4 : 2) * o.lp * Math.exp(-0.5 * ((f - m) / s) ** 2);
          }
          return (sum * h) / 3 / (s * Math.sqrt(2 * Math.PI));
        };
        // 20 points: within 1e-4 of the integral here (GPflow's default rule).
        expect(Math.abs(out.value - at(mu, v))).toBeLessThan(1e-4 * (1 + Math.abs(out.value)));
        expect(out.curv).toBeCloseTo(out.dVar, 3);
        const h = 1e-5;
        const e = (m: number, s2: number): number => { const o = { value: 0, dMu: 0, dVar: 0, curv: 0 }; expectedLogLik(c.lik, c.y, m, s2, o); return o.value; };
        expect(out.dMu).toBeCloseTo((e(mu + h, v) - e(mu - h, v)) / (2 * h), 6);
        expect(out.dVar).toBeCloseTo((e(mu, v + h) - e(mu, v - h)) / (2 * h), 6);
        expect(sd).toBeGreaterThan(0);
      }
    }
  });
});

describe('the sparse ELBO with a likelihood', () => {
  const r = lcg(31);
  const xs = Array.from({ length: 40 }, () => [4 * r() - 2]);
  const truth = xs.map(([x]) => Math.sin(2 * x!));
  const z = [-1.8, -1.1, -0.4, 0.3, 1, 1.7];
  const cases: { name: string; link: string; y: number[]; lik?: Record<string, { value: number[]; fixed?: boolean }> }[] = [
    { name: 'bernoulli', link: 'logit', y: truth.map((f) => (r() < 1 / (1 + Math.exp(-2 * f)) ? 1 : 0)) },
    { name: 'poisson', link: 'log', y: truth.map((f) => Math.round(Math.exp(f + 1) * (0.5 + r()))) },
    { name: 'student_t', link: 'identity', y: truth.map((f, i) => f + 0.2 * (r() - 0.5) + (i % 9 === 0 ? 4 : 0)), lik: { lik_scale: { value: [0.3] }, lik_df: { value: [4], fixed: true } } },
  ];
  for (const c of cases) {
    it(`${c.name}: analytic gradient = finite differences at a fixed q(v), q's fixed point`, () => {
      const { state, core } = likState(kernel, { s: { value: [1.3] }, ls: { value: [0.7] }, c: { value: [0.2], identity: true } } as never, { name: c.name, link: c.link, ...(c.lik ? { params: c.lik } : {}) }, { mean: { kind: 'constant', c: 'c' }, inducing: z });
      const d = dataOf(xs, c.y);
      // A q(v) away from the prior: mean and a lower factor with off-diagonal terms.
      const qm = state.values.get('qm')!;
      const qs = state.values.get('qs')!;
      qm.set([0.3, -0.2, 0.5, 0.1, -0.4, 0.2]);
      for (let i = 0; i < 6; i++) for (let j = 0; j <= i; j++) qs[i * 6 + j] = i === j ? 0.6 + 0.05 * i : 0.07 * (i - j);
      const grads = core.gradBuffers();
      sparseElbo(state, d, grads);
      const g = core.packGrad(grads);
      const theta = core.pack();
      const h = 1e-6;
      for (let k = 0; k < theta.length; k++) {
        const at = (delta: number): number => {
          const t = Float64Array.from(theta);
          t[k] += delta;
          core.unpack(t);
          return sparseElbo(state, d);
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        core.unpack(theta);
        expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
      }
      // q's optimum: no natural-gradient step from it raises the ELBO.
      setOptimalQ(state, d);
      const best = sparseElbo(state, d);
      const m0 = Float64Array.from(qm);
      for (const dm of [1e-3, -1e-3]) {
        qm[2] = m0[2]! + dm;
        expect(sparseElbo(state, d)).toBeLessThan(best);
      }
      qm.set(m0);
      expect(gpLikelihood(core).lik.name).toBe(c.name);
    });
  }
});

describe('sparse GPs with likelihoods through the language', () => {
  it('poisson: recovers the latent log rate from 2,000 counts with 20 inducing points', async () => {
    const rng = lcg(77);
    const truth = (x: number): number => 1 + Math.sin(x);
    const poisson = (mu: number): number => {
      let k = 0;
      let p = Math.exp(-mu);
      let s = p;
      const u = rng();
      while (u > s) {
        k++;
        p *= mu / k;
        s += p;
      }
      return k;
    };
    const rows = Array.from({ length: 2000 }, () => {
      const x = 8 * rng();
      return { x, y: poisson(Math.exp(truth(x))) };
    });
    const m = compile('model P = gp(x -> y) { kernel = 1 * rbf(ls = 1); mean = constant; likelihood = poisson; inference = sparse(m = 20) }').model('P');
    const s = await m.fit(rows, { method: 'adam', lr: 0.02, epochs: 30, batch: 250, seed: 0 });
    expect(s.gp!.notes.join(' ')).toMatch(/20-point Gauss-Hermite/);
    const xs = [0.5, 1.5, 3, 4.5, 6, 7.5];
    const p = m.predict(xs.map((x) => ({ x })));
    xs.forEach((x, i) => expect(Math.abs(p[i]![0]!.mean - truth(x))).toBeLessThan(0.15));
  });

  it('bernoulli: classifies as the exact Laplace GP does', async () => {
    const rng = lcg(12);
    const rows = Array.from({ length: 400 }, () => {
      const x = 6 * rng() - 3;
      return { x, y: rng() < 1 / (1 + Math.exp(-3 * Math.sin(1.5 * x))) ? 1 : 0 };
    });
    const sparse = compile('model C = gp(x -> y) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli; inference = sparse(m = 15) }').model('C');
    await sparse.fit(rows, { method: 'adam', lr: 0.02, epochs: 40, batch: 400, seed: 0 });
    const exact = compile('model C = gp(x -> y) { kernel = 1 * rbf(ls = 1); likelihood = bernoulli }').model('C');
    await exact.fit(rows, { method: 'lbfgs', seed: 0 });
    const grid = Array.from({ length: 13 }, (_, i) => ({ x: -3 + i / 2 }));
    const ps = sparse.predict(grid).map((r) => r[0]!.extra!.p!);
    const pe = exact.predict(grid).map((r) => r[0]!.extra!.p!);
    ps.forEach((p, i) => expect(Math.abs(p - pe[i]!)).toBeLessThan(0.08));
  });
});
