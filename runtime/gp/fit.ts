// Type-II maximum likelihood for an exact GP: L-BFGS (bounds, log space for positive
// hyperparameters) on -lml, from the initial values and then from `restarts - 1` random
// starts (over the bounds or near the initial values: restarts_from); the fit driver (learners/driver.ts) runs the restarts and keeps the best. The fitted state carries the training data as fixed
// parameters, so a saved model predicts without the data file.
import type { GPNode, IRGraph, IRParam } from '../../ir/types.js';
import type { LbfgsSettings } from '../../compiler/program.js';
import { LBFGS_DEFAULTS } from '../../compiler/fit-settings.js';
import { Rng } from '../../stdlib/random.js';
import { PmixError } from '../errors.js';
import type { Steps } from '../learners/drive.js';
import { drive, type Learner } from '../learners/driver.js';
import { lbfgs } from '../learners/lbfgs.js';
import type { FitProgress, StopReason } from '../learners/types.js';
import { ModelState } from '../state.js';
import { GPCore, displayName } from './core.js';
import { outputMoments, type GPData } from './data.js';
import { exactLml, type LmlResult } from './exact.js';
import { initLikelihood, laplaceLml } from './laplace.js';
import { vecchiaLml } from './vecchia/likelihood.js';
import { vecchiaSetup } from './vecchia/ordering.js';
import { multiclassLml } from './multiclass.js';
import { initializeFromData, randomStart } from './init.js';
import { hasPriors, logPrior } from './prior.js';

export interface GPFitted {
  readonly state: ModelState;
  /** Log marginal likelihood in the outputs' own units. */
  readonly lml: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly stop: StopReason;
  readonly criterion: string;
  readonly interrupted: boolean;
  readonly notes: readonly string[];
}

/** The GP node of a GP graph. */
export function gpNode(g: IRGraph): GPNode {
  const n = g.nodes.find((x) => x.kind === 'gp');
  if (!n || n.kind !== 'gp') throw new Error('not a GP model');
  return n;
}

/** Sets normalization (when the node asks for it) and returns y on the GP's scale. */
export function prepareOutputs(state: ModelState, node: GPNode, d: GPData): Float64Array {
  const T = node.outputs?.length ?? 1;
  if (!node.normalize) return d.y;
  const { mean, sd } = outputMoments(d, T);
  state.values.get(node.normalize.shift)!.set(mean);
  state.values.get(node.normalize.scale)!.set(sd);
  return scaleOutputs(state, node, d);
}

/** y standardized per task with the node's stored shift and scale (y itself without them). */
export function scaleOutputs(state: ModelState, node: GPNode, d: GPData): Float64Array {
  if (!node.normalize) return d.y;
  const shift = state.values.get(node.normalize.shift)!;
  const scale = state.values.get(node.normalize.scale)!;
  return Float64Array.from(d.y, (y, i) => (y - shift[d.task[i]!]!) / scale[d.task[i]!]!);
}

/** log|Jacobian| of the normalization: lml in original units = lml on the GP's scale - this. */
export function normalizationLogJac(state: ModelState, node: GPNode, d: GPData): number {
  if (!node.normalize) return 0;
  const scale = state.values.get(node.normalize.scale)!;
  let s = 0;
  for (let i = 0; i < d.n; i++) s += Math.log(scale[d.task[i]!]!);
  return s;
}

export function* fitExactSteps(initial: ModelState, d: GPData, settings: LbfgsSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<GPFitted> {
  const state = withTrainingData(initial, d);
  const node = gpNode(state.graph);
  if (d.n === 0) throw new PmixError('no complete rows to fit the GP on (every row misses an input or the output)', 'no-data');
  const y = prepareOutputs(state, node, d);
  // A likelihood's hyperparameters start from a rough latent guess (e.g. +-1 labels, log counts).
  initializeFromData(state, node, d, node.likelihood ? initLikelihood(state, node, d) : y);
  const scaled: GPData = { ...d, y };
  const core = new GPCore(state, node);
  const rng = new Rng(settings.seed);
  const priors = hasPriors(core);
  const logJac = normalizationLogJac(state, node, d);
  let badAt: string | undefined;
  // The Laplace mode of the last evaluation warm-starts the next one's Newton iterations.
  let warm: Float64Array | undefined;
  // Gaussian noise: exact or Vecchia; a likelihood: the Laplace approximation (exact-size data; multiclass for categorical).
  const gaussianLml = node.likelihood ? undefined : lmlFunction(node, scaled);
  const lmlAt = (c: GPCore, wantGrad: boolean): LmlResult => {
    if (gaussianLml) return gaussianLml(c, wantGrad);
    const r = node.likelihood!.classes ? multiclassLml(c, scaled, wantGrad, warm) : laplaceLml(c, scaled, wantGrad, warm);
    warm = r.mode.a;
    return r;
  };
  const objective = (theta: Float64Array, g: Float64Array): number => {
    core.unpack(theta);
    try {
      const r = lmlAt(core, true);
      // With priors: the log posterior (up to a constant), its gradient through the same map.
      const lp = priors ? logPrior(core, r.grad!) : 0;
      g.set(core.packGrad(r.grad!));
      for (let i = 0; i < g.length; i++) g[i] = -g[i]!;
      if (!Number.isFinite(r.lml + lp) || g.some((v) => !Number.isFinite(v))) return Infinity;
      return -(r.lml + lp);
    } catch (e) {
      if (e instanceof PmixError && e.code === 'not-positive-definite') {
        badAt = e.message;
        return Infinity;
      }
      throw e;
    }
  };
  const start = core.pack();
  const { lower, upper } = core.bounds();
  const notes: string[] = [];
  const restartsFrom = settings.restartsFrom ?? LBFGS_DEFAULTS.restartsFrom;
  if (core.dim > 0 && settings.restarts > 1) notes.push(restartsFrom === 'bounds' ? `restarts 2..${settings.restarts} started log-uniformly over each hyperparameter's bounds (restarts_from = bounds)` : `restarts 2..${settings.restarts} started within a factor of 30 of the initial hyperparameters (restarts_from = start)`);
  let fitted: { state: ModelState; iterations: number; stop: StopReason; criterion: string };
  if (core.dim === 0) {
    // Every hyperparameter fixed: nothing to optimize, the lml is evaluated as given.
    fitted = { state, iterations: 0, stop: 'nothing_to_fit', criterion: 'every hyperparameter is fixed' };
  } else {
    const learner: Learner = {
      restarts: settings.restarts,
      maxIter: settings.maxIter,
      limit: `max_iter = ${settings.maxIter}`,
      start: (r) => {
        const x0 = r === 0 ? start : randomStart(core, start, rng, restartsFrom);
        const run = lbfgs(objective, x0, { maxIter: settings.maxIter, gtol: settings.tol, lower, upper });
        // The run's latest accepted point (-lml); before its first step, not yet known.
        let at: { x: Float64Array; f: number } = { x: x0, f: Infinity };
        const snapshotAt = (): ModelState => snapshot(state, core, at.x);
        return {
          state,
          snapshot: snapshotAt,
          *iterate() {
            const step = run.next();
            if (step.done) {
              const res = step.value;
              at = { x: Float64Array.from(res.x), f: res.f };
              return { stop: res.stop, criterion: res.message, iterations: res.iterations };
            }
            at = { x: Float64Array.from(step.value.x), f: step.value.f };
            return -step.value.f / d.n;
          },
          *finish() {
            return { state: snapshotAt(), meanLogLikelihood: -at.f / d.n };
          },
        };
      },
    };
    const r = yield* drive(learner, { onProgress, signal });
    if (!Number.isFinite(r.result.meanLogLikelihood) && r.result.interrupted) {
      // Interrupted before the first L-BFGS step: the starting hyperparameters are the best so far.
      fitted = { state: snapshot(state, core, start), iterations: 0, stop: 'interrupted', criterion: r.result.criterion };
    } else if (!Number.isFinite(r.result.meanLogLikelihood)) {
      throw new PmixError(`the GP fit found no hyperparameters where the kernel matrix is positive definite${badAt ? `: ${badAt}` : ''}`, 'not-positive-definite', 'add noise, fix hyperparameters to sensible values, or rescale the data');
    } else fitted = { state: r.state, iterations: r.totalIterations, stop: r.result.stop, criterion: r.result.criterion };
  }
  const fcore = new GPCore(fitted.state, node);
  const final = lmlAt(fcore, false);
  if (node.likelihood) notes.push(`log marginal likelihood: the Laplace approximation's (likelihood ${node.likelihood.name}, link ${node.likelihood.link}${node.likelihood.classes ? `, ${node.likelihood.classes} classes, one latent GP each` : ''})`);
  if (node.inference.kind === 'vecchia') notes.push(vecchiaNote(node.inference.m, d.n));
  if (final.jitter > 0) notes.push(`added jitter ${final.jitter.toExponential(2)} to the kernel matrix's diagonal because ${final.reason}`);
  const atBound = fcore.atBound();
  if (priors) notes.push(`maximized the log posterior: log marginal likelihood plus the hyperparameters' log priors (${logPrior(fcore).toPrecision(6)} at the optimum)`);
  if (atBound.length) notes.push(`at a bound: ${atBound.join('; ')} (widen the bounds with 'in [lo, hi]' or fix it)`);
  const { iterations, stop, criterion } = fitted;
  return { state: fitted.state, lml: final.lml - logJac, iterations, converged: stop === 'converged', stop, criterion, interrupted: stop === 'interrupted', notes };
}

/**
 * The (approximate) log marginal likelihood of the node's inference on the fit's data: exact
 * (one n x n buffer, reused) or Vecchia (ordering and neighbour sets found once).
 */
function lmlFunction(node: GPNode, d: GPData): (core: GPCore, wantGrad: boolean) => LmlResult {
  if (node.inference.kind === 'vecchia') {
    const setup = vecchiaSetup(d, node.inference.m);
    return (core, wantGrad) => vecchiaLml(core, setup, wantGrad);
  }
  const buf = new Float64Array(d.n * d.n);
  return (core, wantGrad) => exactLml(core, d, wantGrad, buf);
}

function vecchiaNote(m: number, n: number): string {
  const used = Math.min(m, n - 1);
  return `Vecchia approximation: points ordered by the first input, each conditioned on its ${used} nearest previous points${used < m ? ` (m = ${m} clamped to n - 1 = ${used}: the exact likelihood)` : ''}; the log marginal likelihood is the approximation's`;
}

function snapshot(state: ModelState, core: GPCore, theta: Float64Array): ModelState {
  const s = state.clone();
  new GPCore(s, core.node).unpack(theta);
  return s;
}

/** A state whose graph holds the training points as fixed parameters (train_x [n, stride], train_y [n]). */
export function withTrainingData(initial: ModelState, d: GPData): ModelState {
  const g = initial.graph;
  const node = gpNode(g);
  if (node.inference.kind !== 'exact' && node.inference.kind !== 'vecchia') return initial.clone();
  const xName = `${node.id}.train_x`;
  const yName = `${node.id}.train_y`;
  const fixed = (name: string, shape: number[], value: ArrayLike<number>): IRParam => ({ name, shape, param: { kind: 'identity' }, value: Array.from(value), fixed: true, init: 'given' });
  const params = { ...g.params, [xName]: fixed(xName, [d.n, d.stride], d.x), [yName]: fixed(yName, [d.n], d.y) };
  const inference = node.inference.kind === 'vecchia' ? { kind: 'vecchia' as const, m: node.inference.m, train: { x: xName, y: yName } } : { kind: 'exact' as const, train: { x: xName, y: yName } };
  const nodes = g.nodes.map((n) => (n.id === node.id ? { ...node, inference } : n));
  const state = new ModelState({ ...g, params, nodes });
  for (const [k, v] of initial.values) state.values.get(k)!.set(v);
  return state;
}

/** Final hyperparameter values, by display name, for summaries. */
export function hyperparameterValues(state: ModelState): Record<string, number[]> {
  const node = gpNode(state.graph);
  const core = new GPCore(state, node);
  const out: Record<string, number[]> = {};
  // A non-Gaussian likelihood's GP has no noise variance (its node keeps a fixed 0): not shown.
  for (const n of core.hyperNames) if (!(node.likelihood && n === node.noise)) out[displayName(n)] = Array.from(state.values.get(n)!);
  return out;
}
