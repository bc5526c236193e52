// Gradient ascent on the mean log-likelihood with Adam over mini-batches. Gradients come from
// the flows of the backward pass: for a mixing weight the expected edge count, for a leaf the
// flow-weighted gradient of its log-density (each family's gradLogDensity), carried to the
// unconstrained space by each parameter's parameterization. The update rule is
// adam-optimizer.ts; the loop (epochs, tol, early stopping, abort) is the fit driver's.
import type { AdamSettings } from '../../compiler/program.js';
import type { LayerParams } from '../../stdlib/distributions/index.js';
import { Rng } from '../../stdlib/random.js';
import { backward, forward } from '../evaluate.js';
import type { ModelState } from '../state.js';
import { checkFinite, meanLogLikelihood } from './em.js';
import { initialize } from './initialize.js';
import { squaredGradients, squaredLogDensity } from '../squared/squared-model.js';
import { initializeSquared } from '../squared/initialize.js';
import { splitHoldout } from './holdout.js';
import { chainGrad, fromFree, toFree } from './parameterization.js';
import { initializeIntegral } from '../integral/initialize.js';
import { hasLatentParams, latentGradients, refreshLatent } from '../integral/latent-params.js';
import { AdamOptimizer, adamConvergence } from './adam-optimizer.js';
import { drivenAsync, runToEnd, waitFor, type Steps } from './drive.js';
import { deviceNetsRun, type DeviceNetsRun } from './device-nets.js';
import { noteDeviceFit } from './device-em.js';
import { prepareCompute } from '../backend/compute.js';
import { drive, type Learner, type LearnerRun } from './driver.js';
import type { FitProgress, Fitted } from './types.js';
import type { NodeValues } from '../node-buffers.js';


export function fitAdam(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: AdamSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Fitted {
  return runToEnd(adamSteps(initial, x, n, rowWeights, settings, onProgress, signal));
}

/** Adam through the fit driver: yields a checkpoint after every mini-batch. */
export function* adamSteps(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: AdamSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Steps<Fitted> {
  const { state, result } = yield* drive(adamLearner(initial, x, n, rowWeights, settings), {
    ...adamConvergence(settings),
    onProgress,
    signal,
  });
  return { state, result };
}

/** Adam's steps: one run, an epoch per iteration (shuffled mini-batches), a held-out score when validation > 0. */
export function adamLearner(initial: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, settings: AdamSettings): Learner {
  return { restarts: 1, maxIter: settings.epochs, limit: `epochs = ${settings.epochs}`, start: () => adamRun(initial, x, n, rowWeights, settings) };
}

function adamRun(initial: ModelState, xAll: Float64Array, nAll: number, weightsAll: Float64Array, settings: AdamSettings): LearnerRun {
  const rng = new Rng(settings.seed);
  // Early stopping: a held-out split (only drawn when asked for, so seeded fits without it are unchanged).
  const split = (settings.validation ?? 0) > 0 ? splitHoldout(xAll, nAll, initial.graph.vars.length, weightsAll, settings.validation!, rng.fork()) : undefined;
  const x = split?.train.x ?? xAll;
  const n = split?.train.n ?? nAll;
  const rowWeights = split?.train.weights ?? weightsAll;
  const valid = split?.valid;
  const state = initial.clone();
  const initRng = rng.fork();
  // A warm start continues from the state's parameters (a loaded artifact's).
  if (settings.warm) {
    /* nothing to initialize */
  } else if (state.symbolic) initializeIntegral(state, x, n, rowWeights, settings.regCovar, initRng);
  else (squareRoot(state) ? initializeSquared : initialize)(state, x, n, rowWeights, settings.init, settings.regCovar, initRng);
  const latent = hasLatentParams(state);
  // The nets on the device (WebGPU) where one is enabled and the driver can await it: chosen
  // at the first epoch (choosing the compute backend is asynchronous).
  let nets: DeviceNetsRun | undefined;
  let chosen = !latent;
  const v = state.graph.vars.length;
  const free = [...state.values.keys()].filter((k) => !state.param(k).fixed && state.param(k).param.kind !== 'neural');
  // Every free parameter's unconstrained values in one array (u's entries are views of it), and
  // their gradients likewise: one Adam pass over all of them per step, nothing allocated.
  const uAll = new Float64Array(free.reduce((c, k) => c + state.values.get(k)!.length, 0));
  const gAll = new Float64Array(uAll.length);
  let at = 0;
  const slots = free.map((k) => {
    const p = state.param(k);
    const v = state.values.get(k)!;
    const u = uAll.subarray(at, at + v.length);
    u.set(toFree(p, v));
    return { k, p, v, u, g: gAll.subarray(at, (at += v.length)) };
  });
  const adam = new AdamOptimizer(settings.lr);
  const totalWeight = rowWeights.reduce((a, b) => a + b, 0);
  const order = Array.from({ length: n }, (_, i) => i);
  // Per batch size (the last batch of an epoch is smaller): each its own arrays.
  const scratches = new Map<number, GradientScratch>();
  // The epoch's log-likelihood pass over every row lends its arrays to the next epoch's.
  const whole: { vals?: NodeValues } = {};
  return {
    state,
    *iterate(epoch) {
      if (!chosen) {
        chosen = true;
        if (drivenAsync()) yield* waitFor(prepareCompute());
        nets = devicePath(state);
        // The device's own values from the start, so every gradient is taken where its trace is.
        if (nets) yield* waitFor(nets.refresh());
      }
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let start = 0; start < n; start += settings.batch) {
        const rows = order.slice(start, start + settings.batch);
        const b = rows.length;
        const xb = new Float64Array(b * v);
        const wb = new Float64Array(b);
        rows.forEach((r, i) => {
          xb.set(x.subarray(r * v, (r + 1) * v), i * v);
          wb[i] = rowWeights[r]!;
        });
        const bw = wb.reduce((a, c) => a + c, 0);
        if (bw <= 0) continue;
        const grads = nets ? circuitGradients(state, xb, b, wb) : gradients(state, xb, b, wb, scratchFor(scratches, b));
        if (nets) yield* waitFor(nets.gradients(grads));
        adam.begin();
        // Ascent on the mean log-likelihood, in each parameter's unconstrained coordinates.
        for (const f of slots) chainGrad(f.p, f.u, f.v, grads.get(f.k)!, f.g);
        adam.ascend('free', uAll, gAll, { divide: bw });
        for (const f of slots) fromFree(f.p, f.u, f.v);
        if (nets) yield* waitFor(nets.refresh());
        else if (latent) refreshLatent(state);
        checkFinite(state, epoch);
        yield;
      }
      return meanLogLikelihood(rootLogp(state, x, n, whole), rowWeights, totalWeight, epoch);
    },
    ...(valid
      ? {
          validationRows: valid.n,
          validate: (epoch: number) => meanLogLikelihood(rootLogp(state, valid.x, valid.n), valid.weights, valid.weights.reduce((a, b) => a + b, 0), epoch),
        }
      : {}),
    *finish({ kept, iterations, trace, interrupted }) {
      nets?.destroy();
      if (kept) return { state: kept, meanLogLikelihood: meanLogLikelihood(rootLogp(kept, x, n), rowWeights, totalWeight, iterations) };
      // The last epoch's value is the current parameters' (unless a mini-batch ran after it).
      const ll = trace.length && !interrupted ? trace[trace.length - 1]! : meanLogLikelihood(rootLogp(state, x, n), rowWeights, totalWeight, 0);
      return { state, meanLogLikelihood: ll };
    },
  };
}

function scratchFor(scratches: Map<number, GradientScratch>, b: number): GradientScratch {
  let s = scratches.get(b);
  if (!s) scratches.set(b, (s = {}));
  return s;
}

/** log p(x_i) per row: the forward pass, or 2 log|c(x)| - log Z for squared circuits. */
function rootLogp(state: ModelState, x: Float64Array, n: number, reuse?: { vals?: NodeValues }): Float64Array {
  if (squareRoot(state)) return squaredLogDensity(state, x, n);
  const vals = forward(state, x, n, reuse?.vals);
  if (reuse) reuse.vals = vals;
  return vals.get(state.graph.root)!;
}

/** The device run of an integral circuit's nets, or undefined (CPU nets; fitBackend says why). */
function devicePath(state: ModelState): DeviceNetsRun | undefined {
  const run = drivenAsync() ? deviceNetsRun(state) : 'the fit is driven synchronously (the nets on a device need an asynchronous fit)';
  noteDeviceFit(typeof run === 'string' ? { backend: 'cpu', why: run } : { backend: 'webgpu' });
  return typeof run === 'string' ? undefined : run;
}

/**
 * Arrays one gradient lends the next (a fit's steps): the passes' node values and flows, the
 * edge counts and the gradients themselves, refilled instead of allocated (a PIC step's fresh
 * arrays were most of its garbage). What a call returns is valid until the next call with it.
 */
export interface GradientScratch {
  vals?: NodeValues;
  flows?: NodeValues;
  counts?: Map<string, Float64Array>;
  grads?: Map<string, Float64Array>;
  /** Per input node: its gradient coefficients (flow x row weight) and its columns of x. */
  inputs?: Map<string, { coef: Float64Array; xs: Float64Array }>;
}

function inputScratch(scratch: GradientScratch | undefined, id: string, coefLen: number, xsLen: number): { coef: Float64Array; xs: Float64Array } {
  let io = scratch?.inputs?.get(id);
  if (!io || io.coef.length !== coefLen || io.xs.length !== xsLen) {
    io = { coef: new Float64Array(coefLen), xs: new Float64Array(xsLen) };
    if (scratch) (scratch.inputs ??= new Map()).set(id, io);
  }
  return io;
}

/** Gradient of sum_i w_i log p(x_i) w.r.t. every parameter's natural values. */
export function gradients(state: ModelState, x: Float64Array, n: number, w: Float64Array, scratch?: GradientScratch): Map<string, Float64Array> {
  const grads = circuitGradients(state, x, n, w, scratch);
  // Integral circuits: on to the functions' parameters (nets, constants).
  if (!squareRoot(state) && hasLatentParams(state)) latentGradients(state, grads);
  return grads;
}

/** As gradients, but an integral circuit's function parameters are left at 0 (only the neural parameters' own gradients). */
export function circuitGradients(state: ModelState, x: Float64Array, n: number, w: Float64Array, scratch?: GradientScratch): Map<string, Float64Array> {
  // Squared circuits: 2 d log|c(x)| - d log Z, by the signed reverse pass (runtime/squared).
  if (squareRoot(state)) return squaredGradients(state, x, n, w).grads;
  const vals = forward(state, x, n, scratch?.vals, true); // keep: the backward follows (it then needs no exps)
  const counts = scratch?.counts ?? new Map<string, Float64Array>();
  for (const c of counts.values()) c.fill(0);
  const flows = backward(state, vals, n, w, counts, scratch?.flows);
  const grads = scratch?.grads ?? new Map<string, Float64Array>();
  for (const [k, vv] of state.values) {
    const g = grads.get(k);
    if (g && g.length === vv.length) g.fill(0);
    else grads.set(k, new Float64Array(vv.length));
  }
  if (scratch) Object.assign(scratch, { vals, flows, counts, grads });
  const v = state.graph.vars.length;
  // Rows of weight 1 (a fit's usual batch): the flows are the coefficients as they are (f * 1 = f).
  let unitWeights = true;
  for (let i = 0; i < n && unitWeights; i++) unitWeights = w[i] === 1;
  for (const node of state.nodes) {
    if (node.kind === 'mixing' || node.kind === 'sum') {
      // d/dW[u,a] sum_i w_i log p = count[u,a] / W[u,a]
      const c = counts.get(node.weights);
      const wv = state.values.get(node.weights)!;
      const g = grads.get(node.weights)!;
      if (c) for (let i = 0; i < g.length; i++) g[i] = wv[i]! > 0 ? c[i]! / wv[i]! : 0;
    } else if (node.kind === 'input') {
      const layer = state.layers.get(node.id)!;
      const f = flows.get(node.id)!;
      // Node fields read once: state.nodes mixes node shapes, so a load in the loop is megamorphic.
      const units = node.units;
      const scope = node.scope;
      const d = scope.length;
      const io = inputScratch(scratch, node.id, unitWeights ? 0 : f.length, n * d);
      let coef = f;
      if (!unitWeights) {
        coef = io.coef;
        for (let i = 0; i < n; i++) {
          const wi = w[i]!;
          for (let uu = 0; uu < units; uu++) coef[i * units + uu] = f[i * units + uu]! * wi;
        }
      }
      const lg: LayerParams = {};
      for (const [role, nm] of Object.entries(layer.names)) lg[role] = grads.get(nm)!;
      const xs = io.xs;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xs[i * d + j] = x[i * v + scope[j]!]!;
      layer.family.gradLogDensity(layer.params, layer.ctx, xs, n, coef, lg);
    }
  }
  return grads;
}


/** A graph under a square node is evaluated in signed log space (log p = 2 log|c| - log Z). */
function squareRoot(state: ModelState): boolean {
  return state.node(state.graph.root).kind === 'square';
}
