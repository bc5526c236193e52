// Expectation-maximization for any tree of mixing, product and input nodes: the E-step is a
// forward and a backward pass (flows = posterior mass of every unit), the M-step re-estimates
// mixing weights from expected edge counts and each input layer by its family's weighted MLE.
import type { EMSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { NotPositiveDefiniteError, withLevelCounts } from '../../stdlib/distributions/index.js';
import { backward, forward, type EdgeCounts, type NodeValues } from '../evaluate.js';
import type { LeafCounts } from '../leaf-counts.js';
import { PmixError } from '../errors.js';
import { gather, type InputLayer, type ModelState } from '../state.js';
import { familyNodeHooks } from '../family-nodes.js';
import type { LayerParams } from '../../stdlib/distributions/index.js';
import { fusedGmm, type FusedGmm } from './gmm-fused.js';
import { checkColumnScales, collapseRepairer, scaledRegCovar } from './collapse.js';
import { drivenAsync, runToEnd, waitFor, type Steps } from './drive.js';
import { registeredDeviceRun, type DeviceEMRun } from './device-em.js';
import { drive, type Learner, type LearnerRun } from './driver.js';
import { initialize, type InitMode } from './initialize.js';
import type { FitProgress, Fitted } from './types.js';
import { LabelClamp, type PartialLabels } from './labels.js';
import { deviceEMRun, deviceForEM } from './em-device.js';

export function fitEM(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Fitted {
  return runToEnd(emSteps(initial, x, n, rowWeights, settings, onProgress, signal));
}

/** EM through the fit driver: yields a checkpoint after every iteration, returns the best restart. */
export function* emSteps(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
  labels?: PartialLabels,
): Steps<Fitted> {
  const { state, result } = yield* drive(emLearner(initial, x, n, rowWeights, settings, labels), { convergence: { kind: 'absolute', tol: settings.tol }, onProgress, signal });
  return { state, result };
}

/** Full-batch EM's steps: each restart initializes a copy (its own forked generator), each iteration is an E- and an M-step. */
export function emLearner(initial: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, given: EMSettings, labels?: PartialLabels): Learner {
  checkColumnScales(initial, x, n, rowWeights);
  // Partial labels (labels.ts): checked once here (the mixture has room for the classes).
  const clamp = labels ? new LabelClamp(initial, labels) : undefined;
  const rng = new Rng(given.seed);
  const settings: EMSettings = { ...given, regCovar: scaledRegCovar(initial, x, n, rowWeights, given.regCovar) };
  return {
    restarts: settings.warm ? 1 : settings.restarts,
    maxIter: settings.maxIter,
    limit: `max_iter = ${settings.maxIter}`,
    start: (restart) => {
      const runRng = rng.fork();
      // probing: bestCandidate drives the run's iterations synchronously (CPU only).
      const begin = (mode: InitMode, probing = false): LearnerRun => {
        const state = initial.clone();
        // A warm start continues from the state's parameters (a loaded artifact's).
        if (!settings.warm) {
          initialize(state, x, n, rowWeights, mode, settings.regCovar, runRng);
          clamp?.align(state, x, n, rowWeights);
        }
        checkFinite(state, 0);
        const cpu = emRun(state, x, n, rowWeights, settings, runRng, clamp);
        // A Gaussian mixture on a WebGPU device when the compute backend found one (em-device.ts).
        const device = probing ? undefined : deviceForEM(state, x, n, settings, clamp !== undefined);
        return device ? deviceEMRun(device, state, x, n, rowWeights, settings, cpu, checkFinite) : cpu;
      };
      if (settings.restarts === 1 || settings.init === 'random' || settings.warm) return begin(settings.init);
      return bestCandidate(Array.from({ length: CANDIDATES }, (_, c) => () => begin(restartInit(restart * CANDIDATES + c), true)), Math.min(PROBE, settings.maxIter), settings.tol);
    },
  };
}

function emRun(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array, settings: EMSettings, rng: Rng, clamp?: LabelClamp): LearnerRun {
  const totalWeight = rowWeights.reduce((a, b) => a + b, 0);
  const v = state.graph.vars.length;
  const xsByNode = new Map<string, Float64Array>();
  for (const node of state.nodes) if (node.kind === 'input' || node.kind === 'family') xsByNode.set(node.id, gather(x, n, v, node.scope));
  let lastVals: NodeValues | undefined;
  let lastFlows: NodeValues | undefined;
  const respBuffers = new Map<string, Float64Array>();
  // A circuit's E-step on a device (device-em.ts: runtime/webgpu/circuit registers it) when the
  // fit is driven asynchronously; GMMs take em-device.ts's run instead (begin above).
  let device: DeviceEMRun | undefined | null = null;
  const onDevice = (): DeviceEMRun | undefined => {
    if (clamp || !drivenAsync()) return undefined;
    if (device === null) device = registeredDeviceRun(state, x, n, rowWeights);
    return device;
  };
  // The plain diagonal GMM takes the fused E-step (gmm-fused.ts) when it applies.
  const fused = clamp ? null : fusedGmm(state, xsByNode, n, rowWeights);
  return {
    state,
    repair: collapseRepairer(state, xsByNode, n, rowWeights, settings.regCovar, rng),
    *iterate(it) {
      const dev = onDevice();
      if (dev) return yield* waitFor(dev.iteration({ regCovar: settings.regCovar, smoothing: settings.smoothing ?? 0 }, it));
      const quick = fused ? fusedIteration(state, fused, rowWeights, totalWeight, settings, it) : undefined;
      if (quick !== undefined) return quick;
      // Buffers are handed back each iteration: fresh 10-100 MB arrays cost page faults and GC.
      // keep: the backward pass follows on these values (unless the clamp below rewrites them).
      const vals = evaluate(state, x, n, it, lastVals, !clamp);
      // With partial labels the E-step (and the objective EM climbs) clamps the labelled rows.
      clamp?.apply(state, vals, n);
      const ll = meanLogLikelihood(vals.get(state.graph.root)!, rowWeights, totalWeight, it);
      const counts: EdgeCounts = new Map();
      const leafCounts: LeafCounts = new Map();
      const flows = backward(state, vals, n, rowWeights, counts, lastFlows, { x, out: leafCounts });
      mStep(state, flows, counts, rowWeights, xsByNode, n, settings.regCovar, it, respBuffers, settings.smoothing ?? 0, vals, leafCounts);
      lastVals = vals;
      lastFlows = flows;
      return ll;
    },
    // With labels the result's mean log-likelihood is the objective EM climbed (restarts are compared on it).
    *finish({ iterations }) {
      const dev = onDevice();
      if (dev) {
        try {
          return { state, meanLogLikelihood: yield* waitFor(dev.meanLogLikelihood(iterations)) };
        } finally {
          dev.destroy();
          device = null;
        }
      }
      const vals = evaluate(state, x, n, iterations, lastVals);
      clamp?.apply(state, vals, n);
      return { state, meanLogLikelihood: meanLogLikelihood(vals.get(state.graph.root)!, rowWeights, totalWeight, iterations) };
    },
  };
}

/** One EM iteration on the fused E-step; undefined when it declined (the caller runs the reference). */
function fusedIteration(state: ModelState, f: FusedGmm, rowWeights: Float64Array, totalWeight: number, settings: EMSettings, it: number): number | undefined {
  const e = f.estep();
  if (!e) return undefined;
  const ll = meanLogLikelihood(e.rowLL, rowWeights, totalWeight, it);
  const smoothing = settings.smoothing ?? 0;
  weightsMStep(state, f.mixing, new Map([[f.mixing.weights, e.counts]]), smoothing);
  const layer = f.layer;
  const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
  if (fixed.size < Object.keys(layer.names).length) {
    setLeafParams(state, layer, f.em.mstep(e.stats, layer.ctx, layer.params, { regCovar: settings.regCovar, fixed, smoothing }), fixed);
  }
  checkFinite(state, it);
  return ll;
}

/** The forward pass, with a covariance that is no longer positive definite reported as a fit error. */
function evaluate(state: ModelState, x: Float64Array, n: number, iteration: number, reuse?: NodeValues, keep = false): NodeValues {
  try {
    return forward(state, x, n, reuse, keep);
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new PmixError(`EM stopped at iteration ${iteration}: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
    throw e;
  }
}

export function meanLogLikelihood(rootVals: Float64Array, rowWeights: Float64Array, totalWeight: number, iteration: number): number {
  let s = 0;
  for (let i = 0; i < rootVals.length; i++) {
    const w = rowWeights[i]!;
    if (w === 0) continue;
    const lv = rootVals[i]!;
    if (!Number.isFinite(lv)) {
      if (lv === Infinity) {
        throw new PmixError(`row ${i + 1} has an infinite density under the model at iteration ${iteration}: a component collapsed onto its values`, 'non-finite', 'raise reg_covar, lower k, or remove duplicated rows');
      }
      throw new PmixError(
        `row ${i + 1} has ${Number.isNaN(lv) ? 'an undefined (NaN)' : 'zero'} density under the model at iteration ${iteration}`,
        'non-finite',
        'check that its values lie in the support of the leaf distributions (e.g. positive values for Gamma, counts for Poisson)',
      );
    }
    s += w * lv;
  }
  return s / totalWeight;
}

export function mStep(
  state: ModelState,
  flows: Map<string, Float64Array>,
  counts: EdgeCounts,
  rowWeights: Float64Array,
  xsByNode: Map<string, Float64Array>,
  n: number,
  regCovar: number,
  iteration: number,
  respBuffers: Map<string, Float64Array>,
  smoothing = 0,
  vals?: NodeValues,
  leafCounts?: LeafCounts,
): void {
  let unitWeights = true;
  for (let i = 0; i < n && unitWeights; i++) unitWeights = rowWeights[i] === 1;
  for (const node of state.nodes) {
    if (node.kind === 'mixing' || node.kind === 'sum') {
      weightsMStep(state, node, counts, smoothing);
    } else if (node.kind === 'family') {
      // A family's part (a KDE component) refits itself from its responsibilities (a generalized M-step).
      const f = flows.get(node.id)!;
      const U = node.units;
      const resp = new Float64Array(f.length);
      for (let i = 0; i < n; i++) for (let u = 0; u < U; u++) resp[i * U + u] = f[i * U + u]! * rowWeights[i]!;
      const current = vals?.get(node.id);
      if (!current) throw new PmixError(`EM: the ${node.family} part ${node.id} needs its values of the E-step`, 'internal');
      familyNodeHooks(node).refitWeighted(state, node, xsByNode.get(node.id)!, n, resp, current);
    } else if (node.kind === 'input') {
      const layer = state.layers.get(node.id)!;
      const f = flows.get(node.id)!;
      const U = node.units;
      const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
      if (fixed.size === Object.keys(layer.names).length) continue;
      // The backward's threads counted this layer's levels (leaf-counts.ts): its M-step reads those, not resp.
      const pre = leafCounts?.get(node.id);
      // With unit row weights the flows are the responsibilities (no n x units copy; M-steps only read them).
      let resp = unitWeights || pre ? f : respBuffers.get(node.id);
      if (!resp || resp.length !== f.length) respBuffers.set(node.id, (resp = new Float64Array(f.length)));
      if (!unitWeights && !pre) for (let i = 0; i < n; i++) for (let u = 0; u < U; u++) resp[i * U + u] = f[i * U + u]! * rowWeights[i]!;
      const xs = xsByNode.get(node.id)!;
      const fit = (): LayerParams => layer.family.mstep(xs, n, resp, layer.ctx, layer.params, { regCovar, fixed, smoothing });
      let next;
      try {
        next = pre ? withLevelCounts(xs, n, U, pre, fit) : fit();
      } catch (e) {
        throw new PmixError(`EM stopped at iteration ${iteration}: ${(e as Error).message} (${layer.family.name} layer ${node.id})`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
      }
      setLeafParams(state, layer, next, fixed);
    }
  }
  checkFinite(state, iteration);
}

/** The M-step of a mixing or sum node's weights from its expected edge counts. */
export function weightsMStep(state: ModelState, node: ModelState['nodes'][number], counts: EdgeCounts, smoothing: number): void {
  if (node.kind !== 'mixing' && node.kind !== 'sum') return;
  const p = state.param(node.weights);
  if (p.fixed) return;
  const c = counts.get(node.weights);
  if (!c) return;
  const w = state.values.get(node.weights)!;
  const A = node.kind === 'mixing' ? node.arity : w.length / node.units;
  for (let u = 0; u < node.units; u++) {
    let tot = 0;
    for (let a = 0; a < A; a++) tot += c[u * A + a]!;
    if (tot <= 0 && !(smoothing > 0)) continue; // a unit no row reaches keeps its weights
    // A tiny floor keeps log-weights finite (scikit-learn adds 10 * eps to counts); smoothing
    // is a Laplace pseudo-count per edge.
    const alpha = smoothing + 1e-15;
    for (let a = 0; a < A; a++) w[u * A + a] = (c[u * A + a]! + alpha) / (tot + A * alpha);
  }
}

/** Writes a leaf layer's M-step result into the state (fixed roles kept, bounded ones projected). */
export function setLeafParams(state: ModelState, layer: InputLayer, next: LayerParams, fixed: ReadonlySet<string>): void {
  for (const [role, vals] of Object.entries(next)) {
    if (fixed.has(role)) continue;
    const target = layer.params[role]!;
    target.set(vals);
    // A bounded parameter's M-step is the unconstrained maximizer projected onto its interval
    // (exact for a likelihood concave in that parameter).
    const p = state.param(layer.names[role]!).param;
    if (p.kind === 'bounded') for (let i = 0; i < target.length; i++) target[i] = Math.min(p.upper, Math.max(p.lower, target[i]!));
  }
}

/** NaN or Inf never leaves a fit silently: name the iteration and the parameter. */
export function checkFinite(state: ModelState, iteration: number): void {
  for (const [name, vals] of state.values) {
    for (let i = 0; i < vals.length; i++) {
      if (!Number.isFinite(vals[i]!)) {
        const when = iteration === 0 ? 'during initialization' : `at iteration ${iteration}`;
        throw new PmixError(`fit stopped ${when}: parameter '${name}' (entry ${i}) became ${vals[i]}`, 'non-finite', 'check the data for extreme values, or raise reg_covar');
      }
    }
  }
}

// Restarts with init = kmeans (restarts > 1) explore more than one k-means each (issue 22:
// pmix's best of 20 missed optima scikit-learn's n_init = 20 finds). Each restart draws
// CANDIDATES starts in turn from PLAN, runs each PROBE EM iterations and goes on with the best;
// the driver then runs it to its stop. Greedy k-means++ (scikit-learn's seeding) finds the
// optima plain k-means++ misses on the digits-PCA references; raw-value k-means and random
// responsibilities add starts the standardized clustering never makes. A fit with one restart
// is unchanged (plain k-means++ on standardized columns).
const PLAN: readonly InitMode[] = ['kmeans', 'kmeans-greedy', 'kmeans-raw', 'kmeans-greedy', 'random'];
export const CANDIDATES = 3;
export const PROBE = 20;
function restartInit(c: number): InitMode {
  return PLAN[c % PLAN.length]!;
}

/**
 * Runs each candidate start up to PROBE iterations (fewer when it converges first, by the fit's
 * tol) and returns the best one's run, its iterations recorded in `ran` so the restart counts
 * them. A candidate that fails (a collapse it cannot repair) is dropped, unless all fail.
 */
function bestCandidate(starts: (() => LearnerRun)[], probe: number, tol: number): LearnerRun {
  let best: { run: LearnerRun; trace: number[] } | undefined;
  let error: unknown;
  for (const start of starts) {
    try {
      const run = start();
      run.repair?.(0);
      const trace: number[] = [];
      for (let it = 1; it <= probe; it++) {
        const gen = run.iterate(it);
        let r = gen.next();
        while (!r.done) r = gen.next();
        if (typeof r.value !== 'number') break;
        trace.push(r.value);
        const restarted = run.repair?.(it) ?? false;
        if (!restarted && it > 1 && Math.abs(r.value - trace[it - 2]!) < tol) break;
      }
      if (!best || trace[trace.length - 1]! > best.trace[best.trace.length - 1]!) best = { run, trace };
    } catch (e) {
      error ??= e;
    }
  }
  if (!best) throw error;
  return { ...best.run, ran: best.trace };
}
