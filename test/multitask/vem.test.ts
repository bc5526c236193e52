// The variational EM of the cluster-specific multitask GP (families/multitask/vem.ts): with every
// hyperparameter held its q(mu), responsibilities and predictions equal a dense data-space reference; the
// hyperparameters' gradient is the central difference of their objective; the ELBO never falls.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VemRun, fittedFrom } from '../../families/multitask/vem.js';
import { predictTask } from '../../families/multitask/predict.js';
import { Rng } from '../../stdlib/random.js';
import { drawTasks, GRID } from './curves.js';
import { clusterPosterior, newTask, responsibilities, tauRows } from './dense-reference.js';

const TASK = { variance: 0.25, lengthscale: 2 };
const MEAN = { variance: 4, lengthscale: 2 };
const NOISE = 0.01;
const HYPER = [MEAN.variance, MEAN.lengthscale, TASK.variance, TASK.lengthscale, NOISE];

describe('variational EM of the multitask GP', () => {
  const { tasks } = drawTasks(24, 11, TASK, NOISE);

  it('with the hyperparameters held: q(mu), the responsibilities and a new task\'s prediction equal the dense reference', () => {
    const run = new VemRun(tasks, { clusters: 3, hyper: HYPER, free: [false, false, false, false, false], steps: 5 });
    run.init(new Rng(4));
    for (let it = 0; it < 20; it++) run.iterate();
    const f = fittedFrom(tasks, 3, HYPER, run.tau);
    const tau = tauRows(run.tau, 3, tasks.length);
    const h = { mean: MEAN, task: TASK, noise: NOISE };
    // the precision form inverts the 16-point RBF Gram matrix (condition number ~1e9): agreement to ~1e-6
    const TOL = 1e-5;
    // q(mu_c) on the grid, recomputed from the final responsibilities
    for (let c = 0; c < 3; c++) {
      const q = clusterPosterior(tasks, tau[c]!, h, Array.from(f.grid));
      q.m.forEach((v, g) => expect(Math.abs(f.means[c]![g]! - v)).toBeLessThan(TOL));
      q.S.forEach((r, a) => r.forEach((v, b) => expect(Math.abs(f.covs[c]![a * f.G + b]! - v)).toBeLessThan(TOL)));
    }
    // the responsibilities are a fixed point of the E-step, and not a trivial one (every cluster used)
    tau.forEach((row) => expect(row.reduce((s, v) => s + v, 0)).toBeGreaterThan(4));
    responsibilities(tasks, tau, h).forEach((row, c) => row.forEach((v, i) => expect(Math.abs(v - tau[c]![i]!)).toBeLessThan(1e-10)));
    const tObs = [GRID[2]!, GRID[8]!, GRID[13]!];
    const yObs = [1.2, -0.4, 0.7];
    const a = newTask(tasks, tau, h, tObs, yObs, GRID);
    const b = predictTask(f, tObs, yObs, GRID);
    for (let c = 0; c < 3; c++) expect(Math.abs(a.clusters[c]! - b.clusters[c]!)).toBeLessThan(TOL);
    GRID.forEach((_, j) => {
      expect(Math.abs(a.mean[j]! - b.mean[j]!)).toBeLessThan(TOL);
      expect(Math.abs(a.variance[j]! - b.variance[j]!)).toBeLessThan(TOL);
    });
  });

  it('on small random problems with any responsibilities: q(mu) and predictions equal the dense reference (1e-9)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 3 }), (seed, C) => {
        const rng = new Rng(seed);
        // 4 tasks on their own subsets of 6 well-spaced inputs; random hyperparameters and soft tau
        const ts = [0, 1.5, 3, 4.5, 6, 7.5];
        const small = Array.from({ length: 4 }, () => {
          const t = ts.filter(() => rng.uniform() < 0.6);
          return { t: t.length ? t : [ts[0]!], y: (t.length ? t : [0]).map(() => 2 * rng.normal()) };
        });
        const h = { mean: { variance: 0.5 + 3 * rng.uniform(), lengthscale: 1 + rng.uniform() }, task: { variance: 0.1 + rng.uniform(), lengthscale: 0.5 + 2 * rng.uniform() }, noise: 0.05 + 0.2 * rng.uniform() };
        const tau = new Float64Array(C * 4);
        for (let i = 0; i < 4; i++) {
          const w = Array.from({ length: C }, () => 0.05 + rng.uniform());
          const z = w.reduce((a, b) => a + b, 0);
          w.forEach((v, c) => (tau[c * 4 + i] = v / z));
        }
        const hyper = [h.mean.variance, h.mean.lengthscale, h.task.variance, h.task.lengthscale, h.noise];
        const f = fittedFrom(small, C, hyper, tau);
        const rows = tauRows(tau, C, 4);
        for (let c = 0; c < C; c++) {
          const q = clusterPosterior(small, rows[c]!, h, Array.from(f.grid));
          q.m.forEach((v, g) => expect(Math.abs(f.means[c]![g]! - v)).toBeLessThan(1e-9));
          q.S.forEach((r, a) => r.forEach((v, b) => expect(Math.abs(f.covs[c]![a * f.G + b]! - v)).toBeLessThan(1e-9)));
        }
        const tObs = [0.7, 5];
        const yObs = [rng.normal(), rng.normal()];
        const tNew = [0, 2.2, 6, 9];
        const a = newTask(small, rows, h, tObs, yObs, tNew);
        const b = predictTask(f, tObs, yObs, tNew);
        for (let c = 0; c < C; c++) expect(Math.abs(a.clusters[c]! - b.clusters[c]!)).toBeLessThan(1e-9);
        tNew.forEach((_, j) => {
          expect(Math.abs(a.mean[j]! - b.mean[j]!)).toBeLessThan(1e-9);
          expect(Math.abs(a.variance[j]! - b.variance[j]!)).toBeLessThan(1e-9);
        });
      }),
      { numRuns: 20, seed: 5 },
    );
  });

  it('the ELBO never falls across iterations, nor across any of the four steps, while learning', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 3 }), (seed, C) => {
        const small = drawTasks(9, seed, TASK, NOISE).tasks;
        const run = new VemRun(small, { clusters: C, hyper: [1, 1, 1, 1, 0.1], free: [true, true, true, true, true], steps: 3 });
        run.init(new Rng(seed));
        run.factor();
        run.mStep();
        run.eStep();
        let last = run.elbo();
        for (let it = 0; it < 6; it++) {
          run.mStep();
          const a = run.elbo();
          run.hyperStep();
          const b = run.elbo();
          run.eStep();
          const c = run.elbo();
          for (const v of [a, b, c]) {
            expect(v).toBeGreaterThanOrEqual(last - 1e-7 * Math.abs(last));
            last = v;
          }
        }
      }),
      { numRuns: 8, seed: 3 },
    );
  });

  it('the hyperparameters\' objective is the ELBO\'s change with q and tau held, and its gradient the central difference', () => {
    const run = new VemRun(tasks.slice(0, 9), { clusters: 2, hyper: [1.5, 1.2, 0.3, 1.7, 0.05], free: [true, true, true, true, true], steps: 3 });
    run.init(new Rng(2));
    run.factor();
    run.mStep();
    run.eStep();
    const all = [0, 1, 2, 3, 4];
    const fg = run.hyperObjective(all);
    const z0 = Float64Array.from(run.hyper, Math.log);
    const g = new Float64Array(5);
    const f0 = fg(z0, g);
    const e0 = run.elbo();
    const h0 = Float64Array.from(run.hyper);
    for (let j = 0; j < 5; j++) {
      const eps = 1e-5;
      const up = Float64Array.from(z0);
      const dn = Float64Array.from(z0);
      up[j] += eps;
      dn[j] -= eps;
      const fd = (fg(up, new Float64Array(5)) - fg(dn, new Float64Array(5))) / (2 * eps);
      expect(Math.abs(fd - g[j]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[j]!)));
      // a finite move: minus the objective's change is the ELBO's change
      const z1 = Float64Array.from(z0);
      z1[j] += 0.3;
      const f1 = fg(z1, new Float64Array(5));
      run.hyper[j] = Math.exp(z1[j]!);
      run.factor();
      expect(Math.abs(run.elbo() - e0 + (f1 - f0))).toBeLessThan(1e-8 * Math.abs(e0));
      run.hyper.set(h0);
      run.factor();
    }
  });
});
