// The incremental Gaussian mixture as a learner of the one fit driver (driver.ts): one
// restart, one iteration = one pass over the rows (from memory or streamed from a CSV file in
// chunks: memory independent of the row count). The first `initRows` rows are held back to
// measure the columns' scale (a new component's covariance is (scale x sd)^2 on the diagonal,
// and reg_covar is scaled as EM's), then fed in order with the rest. A second pass scores the
// rows under the final mixture (the summary's mean log-likelihood, as for every learner); the
// trace holds the pass's prequential mean log-likelihood (each row scored before it updates).
import type { IncrementalSettings } from '../../../compiler/program.js';
import { logDensityRows } from '../../evaluate.js';
import { PmixError } from '../../errors.js';
import type { ModelState } from '../../state.js';
import { scaledRegCovar } from '../collapse.js';
import type { Steps } from '../drive.js';
import { drive, type LearnerRun } from '../driver.js';
import type { StreamBatch, StreamSource } from '../stream-em.js';
import type { FitProgress, Fitted } from '../types.js';
import { IncrementalMixture, type IncrementalReport } from './mixture.js';
import { mixtureState } from './result-state.js';
import { incrementalShape } from './shape.js';

/** Rows per chunk read from the source, unless the fit says otherwise. */
const DEFAULT_CHUNK = 65536;

export interface IncrementalFitted extends Fitted {
  readonly rows: number;
  readonly totalWeight: number;
  readonly report: IncrementalReport;
}

export function* incrementalSteps(initial: ModelState, source: StreamSource, settings: IncrementalSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<IncrementalFitted> {
  const shape = incrementalShape(initial.graph);
  if (typeof shape === 'string') throw new PmixError(shape, 'bad-method', 'fit it by em, or write the model as mixture(k = K) of Normal(full)');
  const graph = initial.graph;
  const D = graph.vars.length;
  const chunk = Math.max(1, settings.chunk ?? DEFAULT_CHUNK);
  const maxK = settings.maxK ?? shape.leaf.units;
  let mixture: IncrementalMixture | undefined;
  let regCovar = settings.regCovar;
  let rows = 0;
  let totalWeight = 0;
  // The held-back rows that measure the scale, then go through the pass first.
  const cap = Math.max(1, settings.initRows);
  let held: { x: Float64Array; w: Float64Array; n: number } | undefined = { x: new Float64Array(Math.min(cap, 1024) * D), w: new Float64Array(Math.min(cap, 1024)), n: 0 };

  const start = (): IncrementalMixture => {
    const h = held!;
    const x = h.x.subarray(0, h.n * D);
    const w = h.w.subarray(0, h.n);
    const vars = columnVariances(x, h.n, D, w);
    regCovar = scaledRegCovar(initial, x, h.n, w, settings.regCovar);
    const m = new IncrementalMixture({
      D,
      full: shape.full,
      novelty: settings.novelty,
      maxK,
      // A constant column (variance 0 in the held rows) gets unit scale.
      initVar: vars.map((v) => settings.scale * settings.scale * (v > 0 ? v : 1)),
      vMin: settings.vMin ?? D + 1,
      aMin: settings.aMin ?? 20 * maxK,
      merge: settings.merge,
      drift: settings.drift,
      checkEvery: settings.checkEvery,
    });
    for (let i = 0; i < h.n; i++) m.observe(x.subarray(i * D, (i + 1) * D), w[i]!);
    held = undefined;
    return m;
  };

  const run: LearnerRun = {
    state: initial,
    *iterate() {
      for (const b of source.batches(chunk)) {
        for (let i = 0; i < b.n; i++) {
          const w = b.weights[i]!;
          const row = b.x.subarray(i * D, (i + 1) * D);
          checkRow(row, b, i, graph.vars);
          rows++;
          if (!(w > 0)) continue;
          totalWeight += w;
          if (held) {
            if (held.n === held.w.length) grow(held, D, cap);
            held.x.set(row, held.n * D);
            held.w[held.n++] = w;
            if (held.n === cap) mixture = start();
          } else mixture!.observe(row, w);
        }
        yield;
      }
      if (held) {
        if (held.n === 0) throw new PmixError(rows === 0 ? 'the data has no rows to fit on' : 'every row has weight 0', rows === 0 ? 'no-data' : 'bad-data');
        mixture = start();
      }
      mixture!.finish();
      return mixture!.prequentialMean();
    },
    snapshot: () => (mixture && mixture.components.length > 0 ? mixtureState(graph, shape, mixture.components, regCovar) : initial.clone()),
    *finish({ interrupted }) {
      // Interrupted while holding back the first rows: learn from those.
      if (!mixture && held && held.n > 0) mixture = start();
      if (!mixture || mixture.components.length === 0) return undefined;
      const state = mixtureState(graph, shape, mixture.components, regCovar);
      if (interrupted) return { state, meanLogLikelihood: mixture.prequentialMean() };
      let ll = 0;
      let wsum = 0;
      for (const b of source.batches(chunk)) {
        const lp = logDensityRows(state, b.x, b.n);
        for (let i = 0; i < b.n; i++) {
          const w = b.weights[i]!;
          if (w > 0) {
            ll += w * lp[i]!;
            wsum += w;
          }
        }
        yield;
      }
      return { state, meanLogLikelihood: ll / wsum };
    },
  };
  const { state, result } = yield* drive({ restarts: 1, maxIter: 1, limit: 'one pass over the rows', start: () => run }, { onProgress, signal });
  return { state, result, rows, totalWeight, report: mixture?.report ?? { rows: 0, created: 0, pruned: 0, merged: 0, driftChecks: 0, refactorizations: 0, maxDrift: 0 } };
}

/** The incremental mixture needs complete, finite rows (it has no marginalization of missing cells). */
function checkRow(row: Float64Array, b: StreamBatch, i: number, vars: readonly { name: string }[]): void {
  for (let d = 0; d < row.length; d++) {
    const v = row[d]!;
    if (Number.isFinite(v)) continue;
    const what = Number.isNaN(v) ? 'is missing' : `is ${v}`;
    throw new PmixError(`row ${b.first + i + 1}, column '${vars[d]!.name}' ${what}: the incremental mixture needs every cell of every row`, 'bad-data', 'drop the incomplete rows, or fit by em (it marginalizes missing cells)');
  }
}

function grow(h: { x: Float64Array; w: Float64Array; n: number }, D: number, cap: number): void {
  const len = Math.min(cap, 2 * h.w.length);
  const x = new Float64Array(len * D);
  x.set(h.x);
  const w = new Float64Array(len);
  w.set(h.w);
  h.x = x;
  h.w = w;
}

function columnVariances(x: Float64Array, n: number, D: number, w: Float64Array): number[] {
  let W = 0;
  const mean = new Array<number>(D).fill(0);
  for (let i = 0; i < n; i++) {
    W += w[i]!;
    for (let d = 0; d < D; d++) mean[d] += w[i]! * x[i * D + d]!;
  }
  for (let d = 0; d < D; d++) mean[d] /= W;
  const v = new Array<number>(D).fill(0);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) v[d] += w[i]! * (x[i * D + d]! - mean[d]!) ** 2;
  return v.map((s) => s / W);
}
