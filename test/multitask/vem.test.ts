// The variational EM of the cluster-specific multitask GP (families/multitask/vem.ts): with every
// hyperparameter held it takes the library form's steps (families/moe/multitask.ts, 1e-10); the
// hyperparameters' gradient is the central difference of their objective; the ELBO never falls.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitMultitask, predictNewTask } from '../../families/moe/index.js';
import { VemRun, fittedFrom } from '../../families/multitask/vem.js';
import { predictTask } from '../../families/multitask/predict.js';
import { Rng } from '../../stdlib/random.js';
import { drawTasks, GRID } from './curves.js';

const TASK = { variance: 0.25, lengthscale: 2 };
const MEAN = { variance: 4, lengthscale: 2 };
const NOISE = 0.01;
const HYPER = [MEAN.variance, MEAN.lengthscale, TASK.variance, TASK.lengthscale, NOISE];

describe('variational EM of the multitask GP', () => {
  const { tasks } = drawTasks(24, 11, TASK, NOISE);

  it('with the hyperparameters held, it equals the library form (1e-10)', () => {
    const lib = fitMultitask(tasks, { clusters: 3, meanKernel: MEAN, taskKernel: TASK, noise: NOISE, maxIter: 20, restarts: 1, seed: 4 });
    const run = new VemRun(tasks, { clusters: 3, hyper: HYPER, free: [false, false, false, false, false], steps: 5 });
    run.init(new Rng(4));
    for (let it = 0; it < 20; it++) run.iterate();
    for (let i = 0; i < lib.tau.length; i++) expect(Math.abs(run.tau[i]! - lib.tau[i]!)).toBeLessThan(1e-10);
    // predictions from the stored responsibilities (q(mu) recomputed from them) match the library's
    const f = fittedFrom(tasks, 3, HYPER, run.tau);
    const tObs = [GRID[2]!, GRID[8]!, GRID[13]!];
    const yObs = [1.2, -0.4, 0.7];
    const a = predictNewTask(lib, tObs, yObs, GRID);
    const b = predictTask(f, tObs, yObs, GRID);
    for (let c = 0; c < 3; c++) expect(Math.abs(a.clusters[c]! - b.clusters[c]!)).toBeLessThan(1e-10);
    GRID.forEach((_, j) => {
      expect(Math.abs(a.mean[j]! - b.mean[j]!)).toBeLessThan(1e-10);
      expect(Math.abs(a.variance[j]! - b.variance[j]!)).toBeLessThan(1e-10);
    });
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
