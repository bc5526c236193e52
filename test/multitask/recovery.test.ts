// Learned hyperparameters recover the generating ones: curves drawn from the model itself
// (each cluster's mean a draw of GP(0, k_mean), each task's deviation a draw of GP(0, k_task),
// noise), fitted by variational EM from data-free starting values on 4 seeded data sets; the
// mean estimate of every hyperparameter is within 3 standard errors (the replicates' sd / sqrt(4))
// plus the estimator's small-sample bias allowance of 10%, and the tasks are partitioned exactly.
import { describe, expect, it } from 'vitest';
import { VemRun } from '../../families/multitask/index.js';
import { Rng } from '../../stdlib/random.js';
import { cholesky, drawTasks, GRID, k } from './curves.js';

const TASK = { variance: 0.25, lengthscale: 2 };
const MEAN = { variance: 4, lengthscale: 2 };
const NOISE = 0.01;
const TRUE = [MEAN.variance, MEAN.lengthscale, TASK.variance, TASK.lengthscale, NOISE];

/** 3 cluster mean curves drawn from GP(0, k_mean) on the grid (interpolated linearly between grid points: only grid points are used). */
function meanCurves(rng: Rng): ((t: number) => number)[] {
  const L = cholesky(GRID.map((a) => GRID.map((b) => k(MEAN, a, b))));
  return [0, 1, 2].map(() => {
    const z = GRID.map(() => rng.normal());
    const v = GRID.map((_, i) => L[i]!.reduce((s, x, j) => s + x * z[j]!, 0));
    return (t: number): number => v[GRID.indexOf(t)]!;
  });
}

describe('multitask GP: learned hyperparameters', () => {
  it('recover the generating ones on simulated curves', () => {
    const est: number[][] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const means = meanCurves(new Rng(100 + seed));
      const { tasks, truth } = drawTasks(45, seed, TASK, NOISE, means);
      let best: VemRun | undefined;
      let bestElbo = -Infinity;
      for (let r = 0; r < 2; r++) {
        const run = new VemRun(tasks, { clusters: 3, hyper: [1, 2, 1, 2, 0.1], free: [true, true, true, true, true], steps: 5 });
        run.init(new Rng(seed * 10 + r));
        let elbo = -Infinity;
        for (let it = 0; it < 40; it++) {
          const e = run.iterate();
          if (Math.abs(e - elbo) < 1e-4) break;
          elbo = e;
        }
        if (elbo > bestElbo) [best, bestElbo] = [run, elbo];
      }
      const label = tasks.map((_, i) => [0, 1, 2].reduce((b, c) => (best!.tau[c * tasks.length + i]! > best!.tau[b * tasks.length + i]! ? c : b), 0));
      for (let i = 0; i < tasks.length; i++) for (let j = 0; j < i; j++) expect(label[i] === label[j]).toBe(truth[i] === truth[j]);
      est.push(Array.from(best!.hyper));
    }
    TRUE.forEach((truthValue, j) => {
      const xs = est.map((e) => e[j]!);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      console.log(`hyperparameter ${j}: true ${truthValue}, mean estimate ${mean.toFixed(4)}, sd ${sd.toFixed(4)}`);
      expect(Math.abs(mean - truthValue)).toBeLessThan(3 * (sd / Math.sqrt(xs.length)) + 0.1 * truthValue);
    });
  }, 600_000);
});
