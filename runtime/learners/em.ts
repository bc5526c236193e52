// Expectation-maximization for any tree of mixing, product and input nodes: the E-step is a
// forward and a backward pass (flows = posterior mass of every unit), the M-step re-estimates
// mixing weights from expected edge counts and each input layer by its family's weighted MLE.
import type { EMSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { backward, forward, type EdgeCounts } from '../evaluate.js';
import { PmixError } from '../errors.js';
import { gather, ModelState } from '../state.js';
import { initialize } from './initialize.js';
import type { FitProgress, FitResult } from './types.js';

export function fitEM(
  initial: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): { state: ModelState; result: FitResult } {
  const rng = new Rng(settings.seed);
  let best: { state: ModelState; result: FitResult } | undefined;
  for (let r = 0; r < settings.restarts; r++) {
    const state = initial.clone();
    const runRng = rng.fork();
    initialize(state, x, n, rowWeights, settings.init, settings.regCovar, runRng);
    checkFinite(state, 0);
    const result = runEM(state, x, n, rowWeights, settings, (p) => onProgress?.({ ...p, restart: r + 1, restarts: settings.restarts }), signal);
    if (!best || result.meanLogLikelihood > best.result.meanLogLikelihood) best = { state, result };
    if (signal?.aborted) break;
  }
  return best!;
}

function runEM(
  state: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  onProgress: (p: Omit<FitProgress, 'restart' | 'restarts'>) => void,
  signal?: AbortSignal,
): FitResult {
  const totalWeight = rowWeights.reduce((a, b) => a + b, 0);
  const v = state.graph.vars.length;
  const trace: number[] = [];
  let prev = -Infinity;
  let converged = false;
  let iterations = 0;
  const xsByNode = new Map<string, Float64Array>();
  for (const node of state.nodes) if (node.kind === 'input') xsByNode.set(node.id, gather(x, n, v, node.scope));
  for (let it = 1; it <= settings.maxIter; it++) {
    if (signal?.aborted) break;
    const vals = forward(state, x, n);
    const ll = meanLogLikelihood(vals.get(state.graph.root)!, rowWeights, totalWeight, it);
    trace.push(ll);
    const counts: EdgeCounts = new Map();
    const flows = backward(state, vals, n, rowWeights, counts);
    mStep(state, flows, counts, rowWeights, xsByNode, n, settings.regCovar, it);
    iterations = it;
    onProgress({ iteration: it, maxIter: settings.maxIter, meanLogLikelihood: ll });
    if (Math.abs(ll - prev) < settings.tol) {
      converged = true;
      break;
    }
    prev = ll;
  }
  const final = meanLogLikelihood(forward(state, x, n).get(state.graph.root)!, rowWeights, totalWeight, iterations);
  return { iterations, converged, meanLogLikelihood: final, trace };
}

export function meanLogLikelihood(rootVals: Float64Array, rowWeights: Float64Array, totalWeight: number, iteration: number): number {
  let s = 0;
  for (let i = 0; i < rootVals.length; i++) {
    const w = rowWeights[i]!;
    if (w === 0) continue;
    const lv = rootVals[i]!;
    if (!Number.isFinite(lv)) {
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

function mStep(
  state: ModelState,
  flows: Map<string, Float64Array>,
  counts: EdgeCounts,
  rowWeights: Float64Array,
  xsByNode: Map<string, Float64Array>,
  n: number,
  regCovar: number,
  iteration: number,
): void {
  for (const node of state.nodes) {
    if (node.kind === 'mixing' || node.kind === 'sum') {
      const p = state.param(node.weights);
      if (p.fixed) continue;
      const c = counts.get(node.weights);
      if (!c) continue;
      const w = state.values.get(node.weights)!;
      const A = node.kind === 'mixing' ? node.arity : w.length / node.units;
      for (let u = 0; u < node.units; u++) {
        let tot = 0;
        for (let a = 0; a < A; a++) tot += c[u * A + a]!;
        if (tot <= 0) continue; // a unit no row reaches keeps its weights
        // A tiny floor keeps log-weights finite (scikit-learn adds 10 * eps to counts).
        for (let a = 0; a < A; a++) w[u * A + a] = (c[u * A + a]! + 1e-15) / (tot + A * 1e-15);
      }
    } else if (node.kind === 'input') {
      const layer = state.layers.get(node.id)!;
      const f = flows.get(node.id)!;
      const resp = new Float64Array(f.length);
      const U = node.units;
      for (let i = 0; i < n; i++) for (let u = 0; u < U; u++) resp[i * U + u] = f[i * U + u]! * rowWeights[i]!;
      const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
      if (fixed.size === Object.keys(layer.names).length) continue;
      let next;
      try {
        next = layer.family.mstep(xsByNode.get(node.id)!, n, resp, layer.ctx, layer.params, { regCovar, fixed });
      } catch (e) {
        throw new PmixError(`EM stopped at iteration ${iteration}: ${(e as Error).message} (${layer.family.name} layer ${node.id})`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
      }
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
  }
  checkFinite(state, iteration);
}

/** NaN or Inf never leaves a fit silently: name the iteration and the parameter. */
export function checkFinite(state: ModelState, iteration: number): void {
  for (const [name, vals] of state.values) {
    for (let i = 0; i < vals.length; i++) {
      if (!Number.isFinite(vals[i]!)) {
        throw new PmixError(`fit stopped at iteration ${iteration}: parameter '${name}' (entry ${i}) became ${vals[i]}`, 'non-finite', 'check the data for extreme values, or raise reg_covar');
      }
    }
  }
}
