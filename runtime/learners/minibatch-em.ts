// Mini-batch EM (and full-batch EM with early stopping), the circuit learner of cirkit and
// pyjuice: per batch, the E-step is a forward and a backward pass (expected flows = the
// gradient of the log-likelihood w.r.t. log-weights), the batch's M-step gives new
// parameters, and the parameters move a step of size eta towards them:
// theta <- (1 - eta) theta + eta theta_batch. Every parameter set (simplex, (0, 1), positive,
// SPD) is convex, so the step stays valid. With a validation split the fit keeps the
// parameters of the best validation epoch and stops after `patience` epochs without gain.
import type { EMSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { backward, forward, type EdgeCounts, type NodeValues } from '../evaluate.js';
import { gather, type ModelState } from '../state.js';
import type { Steps } from './drive.js';
import { checkFinite, meanLogLikelihood, mStep } from './em.js';
import { splitHoldout, takeRows } from './holdout.js';
import { initialize } from './initialize.js';
import type { FitCheckpoint, FitProgress, Fitted } from './types.js';

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
  const rng = new Rng(settings.seed);
  const v = initial.graph.vars.length;
  const { train, valid } = splitHoldout(x, n, v, rowWeights, settings.validation ?? 0, rng.fork());
  const state = initial.clone();
  initialize(state, train.x, train.n, train.weights, settings.init, settings.regCovar, rng.fork());
  checkFinite(state, 0);
  const batch = Math.min(settings.batch && settings.batch > 0 ? settings.batch : train.n, train.n);
  const full = batch === train.n;
  const eta = settings.stepSize ?? (full ? 1 : DEFAULT_STEP);
  const patience = settings.patience ?? DEFAULT_PATIENCE;
  const smoothing = settings.smoothing ?? 0;
  const free = [...state.values.keys()].filter((k) => !state.param(k).fixed);
  const next = state.clone();
  const xb = new Float64Array(batch * v);
  const wb = new Float64Array(batch);
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const trainWeight = train.weights.reduce((a, b) => a + b, 0);
  const trace: number[] = [];
  let best: { state: ModelState; ll: number; epoch: number } | undefined;
  let sinceBest = 0;
  let prev = -Infinity;
  let converged = false;
  let interrupted = false;
  let epochs = 0;
  let lastVals: NodeValues | undefined;
  let lastFlows: NodeValues | undefined;
  const respBuffers = new Map<string, Float64Array>();
  const checkpoint = (epoch: number): FitCheckpoint => ({
    restart: 1,
    iteration: epoch,
    best: () => (best ? { state: best.state.clone(), meanLogLikelihood: best.ll } : trace.length ? { state: state.clone(), meanLogLikelihood: trace[trace.length - 1]! } : undefined),
  });

  for (let epoch = 1; epoch <= settings.maxIter; epoch++) {
    if (signal?.aborted) {
      interrupted = true;
      break;
    }
    if (!full) shuffle(order, rng);
    let llSum = 0;
    for (let start = 0; start < train.n; start += batch) {
      const b = Math.min(batch, train.n - start);
      const xs = full ? train.x : xb.subarray(0, b * v);
      const ws = full ? train.weights : wb.subarray(0, b);
      if (!full) takeRows(train, v, order, start, b, xb, wb);
      const vals = forward(state, xs, b, lastVals?.get(state.graph.root)?.length === b ? lastVals : undefined);
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
      if (!full) yield checkpoint(epoch);
    }
    epochs = epoch;
    const ll = llSum / trainWeight;
    trace.push(ll);
    onProgress?.({ restart: 1, restarts: 1, iteration: epoch, maxIter: settings.maxIter, meanLogLikelihood: ll });
    if (valid) {
      const vll = meanLogLikelihood(forward(state, valid.x, valid.n).get(state.graph.root)!, valid.weights, valid.weights.reduce((a, b) => a + b, 0), epoch);
      if (!best || vll > best.ll) {
        if (best) best.state.copyFrom(state);
        best = { state: best?.state ?? state.clone(), ll: vll, epoch };
        sinceBest = 0;
      } else if (++sinceBest >= patience) {
        converged = true;
        break;
      }
    } else if (Math.abs(ll - prev) < settings.tol) {
      converged = true;
      break;
    }
    prev = ll;
    yield checkpoint(epoch);
  }
  const final = best?.state ?? state;
  const trainLL = meanLogLikelihood(forward(final, train.x, train.n).get(final.graph.root)!, train.weights, trainWeight, epochs);
  return {
    state: final,
    result: {
      iterations: epochs,
      converged,
      meanLogLikelihood: trainLL,
      trace,
      ...(valid && best ? { validation: { rows: valid.n, meanLogLikelihood: best.ll, bestEpoch: best.epoch } } : {}),
      ...(interrupted ? { interrupted } : {}),
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

