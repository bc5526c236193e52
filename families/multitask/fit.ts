// The fit of a multitask GP: gather the curves (rows missing the input or the output are left
// out with a note; a missing task id, a task with one point, fewer tasks than clusters or too
// large a grid stop it by name), start the hyperparameters the model does not give from the
// data, and run variational EM through the one fit driver (restarts, tol, progress, Ctrl-C).
import type { FitSettings } from '../../compiler/program.js';
import type { IRGraph, IRParam } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import type { FamilyFitted, FitRequest } from '../../runtime/family.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { drive, type Learner } from '../../runtime/learners/driver.js';
import type { FitCost } from '../../runtime/resources.js';
import { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { groupCurves, type Curves } from './data.js';
import { HYPER, unionGrid, VemRun } from './vem.js';
import { multitaskNode, P, specOf } from './spec.js';

/** The union grid's largest size: each iteration factors a G x G matrix per cluster. */
export const MAX_GRID = 2000;

export function multitaskMethodProblem(graph: IRGraph, settings: FitSettings, names: { readonly model: string; readonly data: string }): { message: string; hint?: string } | undefined {
  if (settings.method === 'em') return undefined;
  return { message: `${names.model} is a multitask GP: it is fitted by em (variational EM with L-BFGS steps on its hyperparameters), not ${settings.method}`, hint: `write 'fit ${names.model} on ${names.data} by em(restarts = 5)'` };
}

export function multitaskFitCost(model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number): FitCost {
  const C = specOf(graph).clusters;
  // the grid is at most the rows; each cluster keeps a G x G covariance, and the hyperparameters' step a few more
  const G = Math.min(rows, MAX_GRID);
  const bytes = 8 * (C + 4) * G * G + 8 * 4 * rows;
  const parameters = 5 + C;
  return { model, data, method: settings.method, rows, estimate: { parameters, parameterBytes: 8 * parameters, bytesPerRow: Math.ceil(bytes / Math.max(1, rows)), flopsPerRow: 2 * C * G }, bytes };
}

/** The curves of the fit's rows, with every refusal by row and column. */
export function gatherCurves(req: FitRequest): { curves: Curves; t: number[]; y: number[]; task: number[]; notes: string[] } {
  const s = specOf(req.state.graph);
  const V = req.state.graph.vars.length;
  const name = (v: number): string => req.state.graph.vars[v]!.name;
  const where = `fitting ${req.model} on ${req.data}`;
  const t: number[] = [];
  const y: number[] = [];
  const task: number[] = [];
  const rows: number[] = [];
  let dropped = 0;
  for (let r = 0; r < req.rows; r++) {
    const id = req.x[r * V + s.task]!;
    if (!Number.isFinite(id)) throw new PmixError(`${where}: row ${r + 1}, column '${name(s.task)}': missing task id; every row belongs to a task (curve)`, 'bad-data');
    if (req.weights[r] !== 1) throw new PmixError(`${where}: row weights are not supported by a multitask GP (row ${r + 1} has weight ${req.weights[r]})`, 'bad-data', 'fit without weights');
    const a = req.x[r * V + s.input]!;
    const b = req.x[r * V + s.output]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      dropped++;
      continue;
    }
    t.push(a);
    y.push(b);
    task.push(id);
    rows.push(r);
  }
  const curves = groupCurves(t, y, task, rows);
  curves.tasks.forEach((c, i) => {
    if (c.t.length < 2) throw new PmixError(`${where}: task ${curves.ids[i]} (column '${name(s.task)}', row ${curves.firstRow[i]! + 1}) has ${c.t.length} point; every task needs at least 2 to tell its curve from noise`, 'too-few-rows', 'leave that task out of the training data, or give it more points; a task with few points is predicted with `given` rows instead');
  });
  if (curves.tasks.length < s.clusters) throw new PmixError(`${where}: ${curves.tasks.length} task${curves.tasks.length === 1 ? '' : 's'} (distinct '${name(s.task)}' values) for k = ${s.clusters} clusters; each cluster needs tasks`, 'too-few-rows', `use k = ${Math.max(1, curves.tasks.length)} or fewer`);
  const G = unionGrid(curves.tasks).length;
  if (G > MAX_GRID) throw new PmixError(`${where}: ${G.toLocaleString('en-US')} distinct values of '${name(s.input)}' across the tasks; the clusters' mean processes live on that grid and each EM iteration factors a grid x grid matrix, so at most ${MAX_GRID.toLocaleString('en-US')}`, 'too-big', `round '${name(s.input)}' to a common grid`);
  const notes = dropped ? [`${dropped} row${dropped === 1 ? '' : 's'} left out for a missing '${name(s.input)}' or '${name(s.output)}'`] : [];
  return { curves, t, y, task, notes };
}

/** Starting hyperparameters from the data where the model gives none: the outputs' variance split, lengthscales a fifth of the inputs' span. */
function startingHyper(graph: IRGraph, curves: Curves): Float64Array {
  const all = curves.tasks.flatMap((c) => c.y);
  const m = all.reduce((a, b) => a + b, 0) / all.length;
  const v = all.reduce((a, b) => a + (b - m) ** 2, 0) / all.length || 1;
  const ts = curves.tasks.flatMap((c) => c.t);
  const span = Math.max(...ts) - Math.min(...ts) || 1;
  const guess = [v / 2, span / 5, v / 4, span / 5, v / 10];
  return Float64Array.from(HYPER, (n, j) => (graph.params[n]!.init === 'data' ? guess[j]! : graph.params[n]!.value[0]!));
}

/** The state with the training curves (and room for each task's responsibilities). */
function withTraining(base: ModelState, t: number[], y: number[], task: number[], C: number, T: number): ModelState {
  const g = base.graph;
  const given = (name: string, shape: number[], value: ArrayLike<number>): IRParam => ({ name, shape, param: { kind: 'identity' }, value: Array.from(value), fixed: true, init: 'given' });
  const params = { ...g.params, [P.t]: given(P.t, [t.length], t), [P.y]: given(P.y, [y.length], y), [P.task]: given(P.task, [task.length], task), [P.tau]: given(P.tau, [C, T], new Float64Array(C * T).fill(1 / C)) };
  const node = multitaskNode(g);
  const out = new ModelState({ ...g, params, nodes: [{ ...node, params: { ...node.params, [P.t]: P.t, [P.y]: P.y, [P.task]: P.task, [P.tau]: P.tau } }] });
  for (const [k, v] of base.values) out.values.get(k)!.set(v);
  return out;
}

export function* multitaskFitSteps(req: FitRequest): Steps<FamilyFitted> {
  const settings = req.settings;
  if (settings.method !== 'em') throw new PmixError(`${req.model} is a multitask GP: it is fitted by em`, 'bad-method');
  const s = specOf(req.state.graph);
  const { curves, t, y, task, notes } = gatherCurves(req);
  const C = s.clusters;
  const T = curves.tasks.length;
  const n = t.length;
  const hyper0 = startingHyper(req.state.graph, curves);
  const free = HYPER.map((name) => !req.state.graph.params[name]!.fixed);
  const runs: VemRun[] = [];
  const learner: Learner = {
    restarts: settings.restarts,
    maxIter: settings.maxIter,
    limit: `max_iter = ${settings.maxIter}`,
    start(restart: number) {
      const state = withTraining(req.state, t, y, task, C, T);
      const run = new VemRun(curves.tasks, { clusters: C, hyper: hyper0, free, steps: s.steps });
      run.init(new Rng(settings.seed + restart));
      runs[restart] = run;
      const write = (): void => {
        HYPER.forEach((name, j) => (state.values.get(name)![0] = run.hyper[j]!));
        state.values.get(P.pi)!.set(run.pi);
        state.values.get(P.tau)!.set(run.tau);
      };
      return {
        state,
        *iterate(it: number) {
          const elbo = run.iterate();
          if (!Number.isFinite(elbo)) throw new PmixError(`fitting ${req.model}: the ELBO became ${elbo} at iteration ${it} (restart ${restart + 1}); the hyperparameters went degenerate (${HYPER.map((h, j) => `${h} = ${run.hyper[j]}`).join(', ')})`, 'degenerate', 'fix the noise (noise = 0.01 fixed) or give starting hyperparameters');
          write();
          return elbo / n;
        },
        *finish() {
          // pi from the final responsibilities (what a saved model's q(mu) is recomputed from)
          for (let c = 0; c < C; c++) {
            let sum = 0;
            for (let i = 0; i < T; i++) sum += run.tau[c * T + i]!;
            run.pi[c] = sum / T;
          }
          write();
          return undefined;
        },
      };
    },
  };
  const r = yield* drive(learner, { convergence: { kind: 'absolute', tol: settings.tol }, ...(req.onProgress ? { onProgress: req.onProgress } : {}), ...(req.signal ? { signal: req.signal } : {}) });
  const state = r.state;
  const tau = state.values.get(P.tau)!;
  const clusterOf = curves.ids.map((_, i) => {
    let best = 0;
    for (let c = 1; c < C; c++) if (tau[c * T + i]! > tau[best * T + i]!) best = c;
    return best + 1;
  });
  const elbo = r.result.meanLogLikelihood * n;
  const hyper = Object.fromEntries(HYPER.map((name) => [name, state.values.get(name)![0]!]));
  return {
    state,
    result: r.result,
    iterations: r.result.iterations,
    converged: r.result.converged,
    stop: r.result.stop,
    criterion: r.result.criterion,
    ...(r.result.interrupted ? { interrupted: true } : {}),
    meanLogLikelihood: r.result.meanLogLikelihood,
    logLikelihood: elbo,
    observations: n,
    parameters: free.filter(Boolean).length + C - 1,
    details: {
      multitask: {
        tasks: T,
        points: n,
        grid: unionGrid(curves.tasks).length,
        elbo,
        objective: 'the evidence lower bound (ELBO) of variational EM, per point',
        hyperparameters: hyper,
        cluster_weights: Array.from(state.values.get(P.pi)!),
        cluster_of_task: Object.fromEntries(curves.ids.map((id, i) => [String(id), clusterOf[i]!])),
        notes,
      },
    },
  };
}
