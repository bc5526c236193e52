// Streaming full-batch EM: exact EM on data read in chunks, for data sets larger than memory.
// The rows are never all in memory: a first pass counts them and keeps a seeded reservoir
// sample (default 100,000 rows) that the usual initialization (initialize.ts) runs on; then
// each iteration streams the chunks through the forward and backward passes, adds the
// chunk's expected edge counts and each leaf layer's sufficient statistics
// (LeafFamily.newStats) to running totals, and makes one M-step from the totals. The
// parameters are those of in-memory EM (emSteps) up to rounding: with a sample that holds
// every row the initialization is the same too, whatever the chunk size. A last pass gives
// the final mean log-likelihood. Memory: the sample, one chunk's node values and flows, and
// the statistics (independent of the number of rows).
//
// Mini-batch EM (minibatch-em.ts) is a different algorithm: a step towards each batch's M-step
// (stochastic, depends on the batch size and step size); this one makes one exact M-step per
// pass over all the rows.
import type { EMSettings } from '../../compiler/program.js';
import type { LeafStats } from '../../stdlib/distributions/index.js';
import { NotPositiveDefiniteError } from '../../stdlib/distributions/index.js';
import { Rng } from '../../stdlib/random.js';
import { backward, forward, type EdgeCounts, type NodeValues } from '../evaluate.js';
import { PmixError } from '../errors.js';
import { gather, type ModelState } from '../state.js';
import { collapseRepairer, scaledRegCovar } from './collapse.js';
import type { Steps } from './drive.js';
import { drive, type Learner, type LearnerRun } from './driver.js';
import { checkFinite, meanLogLikelihood, setLeafParams, weightsMStep } from './em.js';
import { initialize } from './initialize.js';
import type { FitProgress, Fitted } from './types.js';

/** Rows per chunk and rows of the initialization sample, unless the fit says otherwise. */
export const STREAM_DEFAULTS = { chunk: 65536, initRows: 100_000 } as const;

/** One chunk of rows: x is n x vars (the model's variables, NaN = missing), weights n. */
export interface StreamBatch {
  readonly x: Float64Array;
  readonly n: number;
  readonly weights: Float64Array;
  /** Index of the chunk's first row in the data (for messages). */
  readonly first: number;
}

/** Where the rows come from: each call reads them all again, in chunks of at most `size` rows. */
export interface StreamSource {
  batches(size: number): Iterable<StreamBatch>;
}

export interface StreamFitted extends Fitted {
  readonly rows: number;
  readonly totalWeight: number;
}

/** A source over rows in memory (tests, and data that is already loaded). */
export function memorySource(x: Float64Array, n: number, vars: number, weights: Float64Array): StreamSource {
  return {
    *batches(size) {
      const B = Math.max(1, Math.floor(size));
      for (let s = 0; s < n; s += B) {
        const m = Math.min(B, n - s);
        yield { x: x.subarray(s * vars, (s + m) * vars), n: m, weights: weights.subarray(s, s + m), first: s };
      }
    },
  };
}

/** Layers that cannot stream (their M-step needs every row), as words for a message; empty when all can. */
export function unstreamableLayers(state: ModelState): string[] {
  const out: string[] = [];
  for (const layer of state.layers.values()) {
    const fixed = new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
    if (fixed.size === Object.keys(layer.names).length) continue;
    if (!layer.family.newStats?.(layer.ctx, layer.params, { regCovar: 1e-6, fixed })) out.push(layer.family.name);
  }
  return [...new Set(out)];
}

export function* streamEMSteps(
  initial: ModelState,
  source: StreamSource,
  settings: EMSettings,
  onProgress?: (p: FitProgress) => void,
  signal?: AbortSignal,
): Steps<StreamFitted> {
  const bad = unstreamableLayers(initial);
  if (bad.length > 0) {
    throw new PmixError(
      `streaming EM needs leaf families whose M-step has sufficient statistics; ${bad.join(', ')} ${bad.length === 1 ? 'needs' : 'need'} every row at once (Newton steps or medians)`,
      'bad-method',
      'load the data in memory (em(stream = false)), or use Normal, Bernoulli, Categorical, Poisson, Exponential or Binomial leaves',
    );
  }
  const chunk = Math.max(1, settings.chunk ?? STREAM_DEFAULTS.chunk);
  const v = initial.graph.vars.length;
  // Pass 0: count the rows and keep a reservoir sample (algorithm R, its own seeded generator,
  // so the restarts' generators are those of in-memory EM).
  const S = Math.max(1, settings.initRows ?? STREAM_DEFAULTS.initRows);
  const pick = new Rng((settings.seed ^ 0x5eed5) >>> 0);
  let sx = new Float64Array(Math.min(S, 1024) * v);
  let sw = new Float64Array(Math.min(S, 1024));
  let rows = 0;
  let totalWeight = 0;
  for (const b of source.batches(chunk)) {
    for (let i = 0; i < b.n; i++, rows++) {
      totalWeight += b.weights[i]!;
      let slot = rows;
      if (rows >= S) {
        slot = pick.int(rows + 1);
        if (slot >= S) continue;
      } else if (rows >= sw.length) {
        const len = Math.min(S, 2 * sw.length);
        const nx = new Float64Array(len * v);
        nx.set(sx);
        sx = nx;
        const nw = new Float64Array(len);
        nw.set(sw);
        sw = nw;
      }
      sx.set(b.x.subarray(i * v, (i + 1) * v), slot * v);
      sw[slot] = b.weights[i]!;
    }
    if (signal?.aborted) break;
  }
  if (rows === 0) throw new PmixError('the data has no rows to fit on', 'no-data');
  if (!(totalWeight > 0)) throw new PmixError('every row has weight 0', 'bad-data');
  const m = Math.min(rows, S);
  const sample = { x: sx.subarray(0, m * v), n: m, w: sw.subarray(0, m) };

  const rng = new Rng(settings.seed);
  // reg_covar in the data's units, from the sample (collapse.ts: scaledRegCovar).
  const fitSettings: EMSettings = { ...settings, regCovar: scaledRegCovar(initial, sample.x, sample.n, sample.w, settings.regCovar) };
  const learner: Learner = {
    restarts: settings.warm ? 1 : settings.restarts,
    maxIter: settings.maxIter,
    limit: `max_iter = ${settings.maxIter}`,
    start: () => {
      const state = initial.clone();
      const runRng = rng.fork();
      if (!settings.warm) initialize(state, sample.x, sample.n, sample.w, fitSettings.init, fitSettings.regCovar, runRng);
      checkFinite(state, 0);
      return streamRun(state, source, chunk, totalWeight, sample, fitSettings, runRng);
    },
  };
  const { state, result } = yield* drive(learner, { convergence: { kind: 'absolute', tol: settings.tol }, onProgress, signal });
  return { state, result, rows, totalWeight };
}

function streamRun(
  state: ModelState,
  source: StreamSource,
  chunk: number,
  totalWeight: number,
  sample: { x: Float64Array; n: number; w: Float64Array },
  settings: EMSettings,
  rng: Rng,
): LearnerRun {
  const v = state.graph.vars.length;
  const smoothing = settings.smoothing ?? 0;
  const inputs = state.nodes.filter((nd) => nd.kind === 'input');
  // Collapse detection and repair (collapse.ts) on the sample: exact when it holds every row.
  const sampleXs = new Map<string, Float64Array>();
  for (const node of inputs) sampleXs.set(node.id, gather(sample.x, sample.n, v, node.scope));
  const fixedOf = new Map(inputs.map((node) => {
    const layer = state.layers.get(node.id)!;
    return [node.id, new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r))] as const;
  }));
  // Node values and flows of the last chunk of each size, lent to the next chunk of that size.
  const valsBySize = new Map<number, NodeValues>();
  const flowsBySize = new Map<number, NodeValues>();
  const resp = new Map<string, Float64Array>();
  /** One pass: the weighted mean of log p(x) (and, when `stats`, the E-step totals); yields after every chunk. */
  function* pass(it: number, stats?: { counts: EdgeCounts; leaves: Map<string, LeafStats> }): Generator<void, number, void> {
    let ll = 0;
    for (const b of source.batches(chunk)) {
      const vals = evaluate(state, b.x, b.n, it, valsBySize.get(b.n), !!stats); // keep where the backward follows
      ll += batchLogLikelihood(vals.get(state.graph.root)!, b, it);
      valsBySize.set(b.n, vals);
      if (stats) {
        const flows = backward(state, vals, b.n, b.weights, stats.counts, flowsBySize.get(b.n));
        flowsBySize.set(b.n, flows);
        for (const [id, st] of stats.leaves) {
          const node = state.node(id);
          const U = node.units;
          const f = flows.get(id)!;
          let r = resp.get(id);
          if (!r || r.length !== b.n * U) resp.set(id, (r = new Float64Array(b.n * U)));
          for (let i = 0; i < b.n; i++) {
            const w = b.weights[i]!;
            for (let u = 0; u < U; u++) r[i * U + u] = f[i * U + u]! * w;
          }
          st.accumulate(gather(b.x, b.n, v, (node as { scope: readonly number[] }).scope), b.n, r);
        }
      }
      yield;
    }
    return ll / totalWeight;
  }

  return {
    state,
    repair: collapseRepairer(state, sampleXs, sample.n, sample.w, settings.regCovar, rng),
    *iterate(it) {
      const counts: EdgeCounts = new Map();
      const leaves = new Map<string, LeafStats>();
      for (const node of inputs) {
        const layer = state.layers.get(node.id)!;
        const fixed = fixedOf.get(node.id)!;
        if (fixed.size === Object.keys(layer.names).length) continue;
        leaves.set(node.id, layer.family.newStats!(layer.ctx, layer.params, { regCovar: settings.regCovar, fixed, smoothing })!);
      }
      const ll = yield* pass(it, { counts, leaves });
      for (const node of state.nodes) weightsMStep(state, node, counts, smoothing);
      for (const [id, st] of leaves) {
        const layer = state.layers.get(id)!;
        let next;
        try {
          next = st.finalize();
        } catch (e) {
          throw new PmixError(`EM stopped at iteration ${it}: ${(e as Error).message} (${layer.family.name} layer ${id})`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
        }
        setLeafParams(state, layer, next, fixedOf.get(id)!);
      }
      checkFinite(state, it);
      return ll;
    },
    // The mean log-likelihood at the returned parameters: one more pass (skipped when interrupted).
    *finish({ iterations, interrupted }) {
      if (interrupted) return undefined;
      return { state, meanLogLikelihood: yield* pass(iterations) };
    },
  };
}

/** The weighted sum of a chunk's log-densities; a bad row is named by its index in the whole data. */
function batchLogLikelihood(root: Float64Array, b: StreamBatch, it: number): number {
  let bw = 0;
  for (let i = 0; i < b.n; i++) bw += b.weights[i]!;
  if (!(bw > 0)) return 0;
  try {
    return meanLogLikelihood(root.subarray(0, b.n), b.weights, bw, it) * bw;
  } catch (e) {
    if (e instanceof PmixError) throw new PmixError(e.message.replace(/^row (\d+)/, (_, r: string) => `row ${Number(r) + b.first}`), e.code, e.hint);
    throw e;
  }
}

function evaluate(state: ModelState, x: Float64Array, n: number, iteration: number, reuse?: NodeValues, keep = false): NodeValues {
  try {
    return forward(state, x, n, reuse, keep);
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new PmixError(`EM stopped at iteration ${iteration}: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or add restarts');
    throw e;
  }
}
