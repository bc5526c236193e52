// The multitask GP as a library call with given hyperparameters (no language, no IR): restarts of
// the family's variational EM (vem.ts) with every hyperparameter held, the best ELBO kept, and
// new-task predictions through the family's predictTask (predict.ts). One implementation serves both.
import { Rng } from '../../stdlib/random.js';
import type { Rbf } from './kernel.js';
import { predictTask } from './predict.js';
import { VemRun, type Task } from './vem.js';

export interface MultitaskOptions {
  readonly clusters: number;
  readonly meanKernel: Rbf;
  readonly taskKernel: Rbf;
  readonly noise: number;
  readonly maxIter?: number;
  readonly restarts?: number;
  /** Restart r starts from Rng(seed + r), as the family's fit does. */
  readonly seed?: number;
}

export interface MultitaskFit {
  readonly options: MultitaskOptions;
  /** HYPER's order: mean kernel variance and ls, task kernel variance and ls, noise. */
  readonly hyper: Float64Array;
  /** The union grid of inputs. */
  readonly grid: Float64Array;
  readonly pi: Float64Array;
  /** [C, n_tasks] responsibilities. */
  readonly tau: Float64Array;
  /** Per cluster: posterior mean [G] and covariance [G, G] of its mean process on the grid. */
  readonly means: Float64Array[];
  readonly covs: Float64Array[];
  /** The ELBO at the kept restart's end. */
  readonly objective: number;
}

export interface MultitaskPrediction {
  /** p(cluster | the new task's points). */
  readonly clusters: Float64Array;
  /** The predictive mean and variance of the new task's curve (latent, no noise) at the asked inputs. */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

export function fitMultitask(tasks: readonly Task[], o: MultitaskOptions): MultitaskFit {
  const C = o.clusters;
  if (!(Number.isInteger(C) && C >= 1)) throw new Error(`clusters = ${C}: expected a whole number >= 1`);
  tasks.forEach((task, i) => {
    if (task.t.length === 0 || task.t.length !== task.y.length) throw new Error(`task ${i + 1}: expected as many outputs as inputs, at least one`);
  });
  const hyper = [o.meanKernel.variance, o.meanKernel.lengthscale, o.taskKernel.variance, o.taskKernel.lengthscale, o.noise];
  let best: MultitaskFit | undefined;
  for (let restart = 0; restart < (o.restarts ?? 5); restart++) {
    const run = new VemRun(tasks, { clusters: C, hyper, free: [false, false, false, false, false], steps: 0 });
    run.init(new Rng((o.seed ?? 1) + restart));
    let objective = -Infinity;
    for (let it = 0; it < (o.maxIter ?? 50); it++) objective = run.iterate();
    // q(mu) and pi follow the last responsibilities (what a saved model recomputes)
    run.mStep();
    if (!best || objective > best.objective) best = { options: o, hyper: Float64Array.from(run.hyper), grid: run.grid, pi: Float64Array.from(run.pi), tau: Float64Array.from(run.tau), means: run.means, covs: run.covs, objective };
  }
  return best!;
}

/** Predictions for a new task from its observed points (tObs, yObs) at the inputs tNew. */
export function predictNewTask(f: MultitaskFit, tObs: readonly number[], yObs: readonly number[], tNew: readonly number[]): MultitaskPrediction {
  const p = predictTask(f, tObs, yObs, tNew);
  return { clusters: p.clusters, mean: p.mean, variance: p.variance };
}
