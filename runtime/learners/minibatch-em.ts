// Mini-batch EM (and full-batch EM with early stopping), the circuit learner of cirkit and
// pyjuice: per batch, the E-step is a forward and a backward pass (expected flows = the
// gradient of the log-likelihood w.r.t. log-weights), the batch's M-step gives new
// parameters, and the parameters move a step of size eta towards them:
// theta <- (1 - eta) theta + eta theta_batch. Every parameter set (simplex, (0, 1), positive,
// SPD) is convex, so the step stays valid. With a validation split the driver (driver.ts)
// keeps the parameters of the best validation epoch and stops after `patience` epochs without gain.
import type { EMSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { backward, forward, logLikelihood, type EdgeCounts, type NodeValues } from '../evaluate.js';
import { gather, type ModelState } from '../state.js';
import type { Steps } from './drive.js';
import { scaledRegCovar } from './collapse.js';
import { drive, type Learner, type LearnerRun } from './driver.js';
import { checkFinite, meanLogLikelihood, mStep } from './em.js';
import { splitHoldout, takeRows } from './holdout.js';
import { initialize } from './initialize.js';
import type { FitProgress, Fitted } from './types.js';

const DEFAULT_STEP = 0.1;
const DEFAULT_PATIENCE = 5;

export function* minibatchEMSteps(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Steps<Fitted> {
  const { state, result } = yield* drive(minibatchEMLearner(initial, x, n, rowWeights, settings), {
    convergence: { kind: 'absolute', tol: settings.tol },
    patience: settings.patience ?? DEFAULT_PATIENCE,
    onProgress,
    signal,
  });
  return { state, result };
}

/** Mini-batch EM's steps: one run (restarts do not apply), an epoch per iteration, a held-out score when validation > 0. */
export function minibatchEMLearner(initial: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, given: EMSettings): Learner {
  // reg_covar in the data's units (collapse.ts: scaledRegCovar), as in full-batch EM.
  const settings: EMSettings = { ...given, regCovar: scaledRegCovar(initial, x, n, rowWeights, given.regCovar) };
  return { restarts: 1, maxIter: settings.maxIter, limit: `max_iter = ${settings.maxIter}`, start: () => minibatchRun(initial, x, n, rowWeights, settings) };
}

function minibatchRun(initial: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, settings: EMSettings): LearnerRun {
  const rng = new Rng(settings.seed);
  const v = initial.graph.vars.length;
  const { train, valid } = splitHoldout(x, n, v, rowWeights, settings.validation ?? 0, rng.fork());
  const state = initial.clone();
  const initRng = rng.fork();
  if (!settings.warm) initialize(state, train.x, train.n, train.weights, settings.init, settings.regCovar, initRng);
  checkFinite(state, 0);
  const batch = Math.min(settings.batch && settings.batch > 0 ? settings.batch : train.n, train.n);
  const full = batch === train.n;
  const eta = settings.stepSize ?? (full ? 1 : DEFAULT_STEP);
  const smoothing = settings.smoothing ?? 0;
  const free = [...state.values.keys()].filter((k) => !state.param(k).fixed);
  const next = state.clone();
  const xb = new Float64Array(batch * v);
  const wb = new Float64Array(batch);
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const trainWeight = train.weights.reduce((a, b) => a + b, 0);
  let lastVals: NodeValues | undefined;
  let lastFlows: NodeValues | undefined;
  const respBuffers = new Map<string, Float64Array>();
  return {
    state,
    *iterate(epoch) {
      if (!full) shuffle(order, rng);
      let llSum = 0;
      for (let start = 0; start < train.n; start += batch) {
        const b = Math.min(batch, train.n - start);
        const xs = full ? train.x : xb.subarray(0, b * v);
        const ws = full ? train.weights : wb.subarray(0, b);
        if (!full) takeRows(train, v, order, start, b, xb, wb);
        const vals = forward(state, xs, b, lastVals?.get(state.graph.root)?.length === b ? lastVals : undefined, true); // keep: the backward follows
        const root = vals.get(state.graph.root)!;
        const bw = ws.reduce((a, c) => a + c, 0);
        if (!(bw > 0)) continue;
        llSum += meanLogLikelihood(root, ws, bw, epoch) * bw;
        const counts: EdgeCounts = new Map();
        const flows = backward(state, vals, b, ws, counts, lastFlows?.get(state.graph.root)?.length === b ? lastFlows : undefined);
        next.copyFrom(state);
        const xsByNode = new Map<string, Float64Array>();
        for (const node of state.nodes) if (node.kind === 'input') xsByNode.set(node.id, gather(xs, b, v, node.scope));
        mStep(next, flows, counts, ws, xsByNode, b, settings.regCovar, epoch, respBuffers, smoothing);
        for (const k of free) {
          const cur = state.values.get(k)!;
          const nv = next.values.get(k)!;
          if (eta === 1) cur.set(nv);
          else for (let i = 0; i < cur.length; i++) cur[i] = (1 - eta) * cur[i]! + eta * nv[i]!;
        }
        checkFinite(state, epoch);
        lastVals = vals;
        lastFlows = flows;
        if (!full) yield;
      }
      return llSum / trainWeight;
    },
    ...(valid
      ? {
          validationRows: valid.n,
          validate: (epoch: number) => meanLogLikelihood(logLikelihood(state, valid.x, valid.n), valid.weights, valid.weights.reduce((a, b) => a + b, 0), epoch),
        }
      : {}),
    *finish({ kept, iterations }) {
      const final = kept ?? state;
      return { state: final, meanLogLikelihood: meanLogLikelihood(logLikelihood(final, train.x, train.n), train.weights, trainWeight, iterations) };
    },
  };
}

function shuffle(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

