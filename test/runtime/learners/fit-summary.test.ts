// The fit summary (runtime/learners/summary.ts) on every fit path: BIC and AIC against hand
// computation (closed-form maximum likelihood of one Normal; an exact GP's log marginal
// likelihood by a test-side Cholesky), the stop reasons, golden summaries recorded before the
// fit driver replaced the three learner loops (identical numbers), Adam's converged flag, and
// EM through the driver never lowering the likelihood (property).
import fc from 'fast-check';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitSummary } from '../../../runtime/learners/summary.js';
import { runToEnd } from '../../../runtime/learners/drive.js';
import { emSteps } from '../../../runtime/learners/em.js';
import { selectColumns } from '../../../runtime/data/dataset.js';
import type { FitProgress } from '../../../runtime/learners/types.js';
import { Session } from '../../../session/session.js';
import { Rng } from '../../../stdlib/random.js';
import { compileOk, runFits, writeCsv } from '../../helpers/programs.js';

const DATA = resolve(__dirname, '../../../examples/data');
const close = (got: number, want: number, rel = 1e-12): void => {
  if (!(Math.abs(got - want) <= rel * Math.max(1, Math.abs(want)))) expect.fail(`${got} is not ${want} (to ${rel})`);
};

describe('fitSummary', () => {
  it('BIC = -2 log L + p log n and AIC = -2 log L + 2 p, from a mean or a total log-likelihood', () => {
    const base = { model: 'M', data: 'd', method: 'em' as const, rows: 12, iterations: 4, criterion: 'c' };
    const a = fitSummary({ ...base, stop: 'converged', weight: 10, parameters: 3, likelihood: { mean: -2.5 } });
    expect([a.mean_log_likelihood, a.bic, a.aic, a.parameters, a.converged]).toEqual([-2.5, 50 + 3 * Math.log(10), 56, 3, true]);
    const g = fitSummary({ ...base, stop: 'max_iter', weight: 40, parameters: 2, likelihood: { total: 8 } });
    expect([g.mean_log_likelihood, g.bic, g.aic, g.converged, g.interrupted]).toEqual([0.2, -16 + 2 * Math.log(40), -12, false, undefined]);
    const i = fitSummary({ ...base, stop: 'interrupted', weight: 1, parameters: 0, likelihood: { mean: 0 } });
    expect([i.interrupted, i.converged]).toEqual([true, false]);
  });
});

describe('the fit summaries of the three session paths', () => {
  // One 2-D Normal by EM (reg_covar = 0): the maximum likelihood is closed form,
  // log L = -n/2 (log det(2 pi S) + d) with S the biased sample covariance.
  const rng = new Rng(5);
  const rows = Array.from({ length: 57 }, () => {
    const a = rng.normal();
    return [1 + 2 * a, -3 + a + 0.5 * rng.normal()];
  });
  const n = rows.length;
  const m = [0, 1].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const cov = [0, 1].map((j) => [0, 1].map((k) => rows.reduce((s, r) => s + (r[j]! - m[j]!) * (r[k]! - m[k]!), 0) / n));
  const det = cov[0]![0]! * cov[1]![1]! - cov[0]![1]! ** 2;
  const logL = (-n / 2) * (Math.log((2 * Math.PI) ** 2 * det) + 2);
  const p = 5; // 2 means, 3 covariance entries (one component: no free weight)
  const path = writeCsv(['x', 'y'], rows);
  for (const how of ['em(reg_covar = 0, tol = 1e-10)', 'em(reg_covar = 0, tol = 1e-10, stream = true, chunk = 10)']) {
    it(`${how}: the closed-form log-likelihood, BIC and AIC`, () => {
      const s = runFits(`data d from "${path}" { x: real, y: real }\nmodel M = mixture(k = 1) of Normal(full)\nfit M on d by ${how}`).fitted.get('M')!.summary!;
      expect(s.parameters).toBe(p);
      close(s.mean_log_likelihood, logL / n, 1e-10);
      close(s.bic, -2 * logL + p * Math.log(n), 1e-10);
      close(s.aic, -2 * logL + 2 * p, 1e-10);
      expect([s.stop, s.converged]).toEqual(['converged', true]);
      expect(s.criterion).toBe('change of the mean log-likelihood below tol = 1e-10');
    });
  }

  it('a GP with every hyperparameter fixed: nothing to fit, the log marginal likelihood by hand', () => {
    const xs = [0, 0.7, 1.5, 2.2];
    const ys = [0.3, -0.1, 0.8, 0.4];
    const gpPath = writeCsv(['x', 'y'], xs.map((x, i) => [x, ys[i]!]));
    const s = runFits(`data d from "${gpPath}" { x: real, y: real }\nmodel G = gp(x: real -> y: real) {\n  kernel = 2 fixed * rbf(ls = 0.8 fixed)\n  noise = 0.1 fixed\n}\nfit G on d by lbfgs(seed = 1)`).fitted.get('G')!.summary!;
    // log N(y | 0, K + noise I), K = 2 exp(-(x - x')^2 / (2 0.8^2)), by a plain Cholesky.
    const N = xs.length;
    const A = xs.map((a, i) => xs.map((b, j) => 2 * Math.exp(-((a - b) ** 2) / (2 * 0.8 ** 2)) + (i === j ? 0.1 : 0)));
    const L = A.map(() => new Array<number>(N).fill(0));
    for (let i = 0; i < N; i++) {
      for (let j = 0; j <= i; j++) {
        let v = A[i]![j]!;
        for (let k = 0; k < j; k++) v -= L[i]![k]! * L[j]![k]!;
        L[i]![j] = i === j ? Math.sqrt(v) : v / L[j]![j]!;
      }
    }
    const z: number[] = [];
    for (let i = 0; i < N; i++) z.push((ys[i]! - L[i]!.slice(0, i).reduce((t, l, k) => t + l * z[k]!, 0)) / L[i]![i]!);
    const lml = -0.5 * z.reduce((t, v) => t + v * v, 0) - L.reduce((t, r, i) => t + Math.log(r[i]!), 0) - (N / 2) * Math.log(2 * Math.PI);
    expect([s.stop, s.converged, s.iterations, s.parameters]).toEqual(['nothing_to_fit', false, 0, 0]);
    expect(s.criterion).toBe('every hyperparameter is fixed');
    close(s.gp!.log_marginal_likelihood, lml, 1e-10);
    close(s.bic, -2 * lml, 1e-10);
    close(s.aic, -2 * lml, 1e-10);
    close(s.mean_log_likelihood, lml / N, 1e-10);
  });

  // Recorded on main before the fit driver (commit 6dd82a4): the driver keeps every number (the
  // Poisson fits differ in the last bit since the saddle-point Poisson log-pmf, 017e256).
  it('gives the summaries the three learner loops gave before the driver (golden)', () => {
    const s = runFits(
      `data matches from "${DATA}/football.csv" { home_goals: int, away_goals: int }
data toy from "${DATA}/gp-toy.csv" { x: real, y: real }
data penguins from "${DATA}/penguins.csv" { bill_length_mm: real, bill_depth_mm: real, flipper_length_mm: real, body_mass_g: real }
model Goals = mixture(k = 2) of Poisson
model G2 = mixture(k = 2) of Poisson
model G3 = mixture(k = 2) of Poisson
model P = mixture(k = 3) of Normal
model Toy = gp(x: real -> y: real) {
  kernel = 1 * matern52(ls = 1)
  noise = 0.1 in [1e-6, 1]
}
fit Goals on matches by em(max_iter = 1000, tol = 1e-6, restarts = 3, seed = 1)
fit G2 on matches by em(stream = true, chunk = 500, restarts = 2, seed = 3)
fit G3 on matches by em(batch = 500, validation = 0.2, patience = 2, max_iter = 30, seed = 2)
fit P on penguins by adam(lr = 0.05, epochs = 15, batch = 64, seed = 1)
fit Toy on toy by lbfgs(restarts = 3, seed = 1)`,
      resolve(DATA, 'golden.pmix'),
    );
    const sum = (name: string) => s.fitted.get(name)!.summary!;
    const want: Record<string, [number, number, number]> = {
      Goals: [28, -3.049796348869094, 39740.05321422182],
      G2: [6, -3.051053573526924, 39756.41725036814],
      G3: [11, -3.061642860995737, 39894.24741606221],
      P: [15, -15.002837555797875, 10578.940471313368],
      Toy: [48, 0.09412005120797176, 3.5370342657040688],
    };
    for (const [name, [iterations, mll, bic]] of Object.entries(want)) {
      const got = sum(name);
      expect(got.iterations, name).toBe(iterations);
      close(got.mean_log_likelihood, mll);
      close(got.bic, bic);
    }
    const v = sum('G3').validation!;
    expect([v.rows, v.best_epoch]).toEqual([1302, 9]);
    close(v.mean_log_likelihood, -3.014312050816095);
    expect(sum('G3').stop).toBe('early_stopping');
    expect(sum('P').stop).toBe('max_iter');
    expect(sum('P').converged).toBe(false);
    expect(sum('Toy').stop).toBe('converged');
    expect(sum('Toy').criterion).toBe('relative decrease below tolerance');
  });
});

describe("Adam's converged flag", () => {
  const text = (extra: string) => `data d from "${DATA}/penguins.csv" { bill_length_mm: real, flipper_length_mm: real }
model M = mixture(k = 2) of Normal(diag)
fit M on d by adam(lr = 0.05, epochs = 300, batch = 64, seed = 1${extra})`;

  it('is true only under tol: the relative change stayed below it for `patience` epochs', () => {
    const s = runFits(text(', tol = 1e-4, patience = 3'));
    const f = s.fitted.get('M')!;
    expect([f.summary!.stop, f.summary!.converged]).toEqual(['converged', true]);
    expect(f.summary!.iterations).toBeLessThan(300);
    const t = f.result!.trace;
    for (let e = t.length - 3; e < t.length; e++) expect(Math.abs(t[e]! - t[e - 1]!) / Math.max(1, Math.abs(t[e - 1]!))).toBeLessThan(1e-4);
  });

  it('without tol it runs to the epoch limit and says so', () => {
    const s = runFits(text('')).fitted.get('M')!.summary!;
    expect([s.stop, s.converged, s.iterations, s.criterion]).toEqual(['max_iter', false, 300, 'epochs = 300, no tol given']);
  });
});

describe('EM through the driver', () => {
  it('never lowers the likelihood, and each restart ends at least at its last iteration (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 30, max: 120 }), fc.integer({ min: 1, max: 3 }), (seed, k, n, restarts) => {
        const rng = new Rng(seed);
        const rows = Array.from({ length: n }, () => {
          const c = rng.int(3);
          return [2 * c + rng.normal(), rng.poisson(1 + 2 * c)];
        });
        const program = compileOk(`data d from "${writeCsv(['x', 'c'], rows)}" { x: real, c: int }\nmodel M = mixture(k = ${k}) of product { x: Normal, c: Poisson }`);
        const session = new Session(program);
        const vars = session.variables('M', 'd');
        const x = selectColumns(session.dataset('d'), vars.map((v) => v.name));
        const byRestart: number[][] = Array.from({ length: restarts }, () => []);
        const fitted = runToEnd(
          emSteps(session.lower('M', vars, { x, n }), x, n, new Float64Array(n).fill(1), { method: 'em', maxIter: 30, tol: 0, restarts, init: 'kmeans', regCovar: 1e-6, seed }, (p: FitProgress) =>
            byRestart[p.restart - 1]!.push(p.meanLogLikelihood),
          ),
        );
        for (const t of byRestart) for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]! - 1e-9 * Math.abs(t[i - 1]!));
        const r = fitted.result;
        expect(r.meanLogLikelihood).toBeGreaterThanOrEqual(r.trace[r.trace.length - 1]! - 1e-9 * Math.abs(r.trace[r.trace.length - 1]!));
        // The kept restart is the best one: its final value is at least every restart's last iteration.
        for (const t of byRestart) expect(r.meanLogLikelihood).toBeGreaterThanOrEqual(t[t.length - 1]! - 1e-9 * Math.abs(t[t.length - 1]!));
      }),
      { numRuns: 15, seed: 3 },
    );
  });
});
