// The library form of the multitask GP (fitMultitask / predictNewTask): curves drawn from 3 known clusters (a mean curve per
// cluster plus each task's own GP deviation and noise) are grouped back into their clusters, and a
// new task's curve predicted from 3 of its points beats a single GP on those 3 points (zero mean,
// even given the true total covariance), measured over new tasks of every cluster.
import { describe, expect, it } from 'vitest';
import { fitMultitask, predictNewTask, type Task } from '../../families/multitask/index.js';
import { Rng } from '../../stdlib/random.js';
import { solve } from '../moe/helpers.js';
import { drawTask as drawCurve, GRID, k } from './curves.js';

const TASK = { variance: 0.25, lengthscale: 2 };
const MEAN = { variance: 4, lengthscale: 2 };
const NOISE = 0.01;
const drawTask = (c: number, rng: Rng): { latent: number[]; y: number[] } => drawCurve(c, rng, TASK, NOISE);

describe('multitask GPs with cluster structure', () => {
  const rng = new Rng(11);
  const truth: number[] = [];
  const tasks: Task[] = [];
  for (let i = 0; i < 36; i++) {
    const c = i % 3;
    const { y } = drawTask(c, rng);
    // each task sees its own subset of the grid (about 3 in 4 points)
    const keep = GRID.map((_, j) => j).filter(() => rng.uniform() < 0.75);
    tasks.push({ t: keep.map((j) => GRID[j]!), y: keep.map((j) => y[j]!) });
    truth.push(c);
  }
  const fit = fitMultitask(tasks, { clusters: 3, meanKernel: MEAN, taskKernel: TASK, noise: NOISE, maxIter: 30, restarts: 5, seed: 1 });

  it('recovers the clusters (every task, up to relabelling)', () => {
    const C = 3;
    const label = tasks.map((_, i) => {
      let best = 0;
      for (let c = 1; c < C; c++) if (fit.tau[c * tasks.length + i]! > fit.tau[best * tasks.length + i]!) best = c;
      return best;
    });
    // the same partition: tasks share a fitted label exactly when they share a true one
    for (let i = 0; i < tasks.length; i++) for (let j = 0; j < i; j++) expect(label[i] === label[j]).toBe(truth[i] === truth[j]);
    fit.pi.forEach((p) => expect(Math.abs(p - 1 / 3)).toBeLessThan(1e-6));
  });

  it('a new task predicted from 3 points beats a single GP on those 3 points', () => {
    const r = new Rng(99);
    let errMulti = 0;
    let errSingle = 0;
    let count = 0;
    let rightCluster = 0;
    const obs = [2, 8, 13];
    const rest = GRID.map((_, j) => j).filter((j) => !obs.includes(j));
    for (let n = 0; n < 12; n++) {
      const c = n % 3;
      const { latent, y } = drawTask(c, r);
      const tObs = obs.map((j) => GRID[j]!);
      const yObs = obs.map((j) => y[j]!);
      const tNew = rest.map((j) => GRID[j]!);
      const p = predictNewTask(fit, tObs, yObs, tNew);
      // the cluster it came from: the one whose tasks share its true cluster
      const fittedLabelOf = (cl: number): number => {
        const i = truth.indexOf(cl);
        let best = 0;
        for (let q = 1; q < 3; q++) if (fit.tau[q * tasks.length + i]! > fit.tau[best * tasks.length + i]!) best = q;
        return best;
      };
      if (p.clusters[fittedLabelOf(c)]! > 0.5) rightCluster++;
      // single GP: zero mean, the true total covariance of a task (mean process + deviation) and noise
      const S = tObs.map((a, i) => tObs.map((b, j) => k(MEAN, a, b) + k(TASK, a, b) + (i === j ? NOISE : 0)));
      const alpha = solve(S, yObs);
      rest.forEach((jj, q) => {
        const t = GRID[jj]!;
        const single = tObs.reduce((s, a, i) => s + (k(MEAN, t, a) + k(TASK, t, a)) * alpha[i]!, 0);
        errSingle += (single - latent[jj]!) ** 2;
        errMulti += (p.mean[q]! - latent[jj]!) ** 2;
        count++;
      });
    }
    const rmseMulti = Math.sqrt(errMulti / count);
    const rmseSingle = Math.sqrt(errSingle / count);
    console.log(`new tasks from 3 points: RMSE multitask ${rmseMulti.toFixed(3)}, single GP ${rmseSingle.toFixed(3)}, right cluster ${rightCluster}/12`);
    expect(rmseMulti).toBeLessThan(0.75 * rmseSingle);
    expect(rightCluster).toBeGreaterThanOrEqual(10);
  });

  it('one cluster, one task: the mean process posterior is K (K + Psi)^-1 y (closed form)', () => {
    const t = [0, 1.5, 4, 7];
    const y = [1, -0.5, 2, 0.3];
    const f = fitMultitask([{ t, y }], { clusters: 1, meanKernel: MEAN, taskKernel: TASK, noise: NOISE, maxIter: 2, restarts: 1 });
    const A = t.map((a, i) => t.map((b, j) => k(MEAN, a, b) + k(TASK, a, b) + (i === j ? NOISE : 0)));
    const z = solve(A, y);
    t.forEach((a, i) => expect(Math.abs(f.means[0]![i]! - t.reduce((s, b, j) => s + k(MEAN, a, b) * z[j]!, 0))).toBeLessThan(1e-8));
  });
});
