// The fit of a KDE: store the rows (with their weights; a seeded subsample above max_points),
// and pick the bandwidth: a number or vector as written, Scott's or Silverman's rule, the normal
// reference, or k-fold cross-validation over a grid (one step per grid value: progress goes
// through the session's onProgress, Ctrl-C keeps the best value so far).
import type { FitSettings } from '../../compiler/program.js';
import { PmixError } from '../../runtime/errors.js';
import type { FamilyFitted, FitRequest } from '../../runtime/family.js';
import type { Steps } from '../../runtime/learners/drive.js';
import type { FitCost } from '../../runtime/resources.js';
import { ModelState } from '../../runtime/state.js';
import type { IRGraph } from '../../ir/types.js';
import { Rng } from '../../stdlib/random.js';
import { cvScore, foldsOf } from './cross-validation.js';
import { fittedGraph, kdeColumns, kdeNode } from './fitted-graph.js';
import { MAX_POINTS } from './lower.js';
import { createKde, type BandwidthSpec, type Kde, type KdeSpec } from './model.js';
import { kdeLogDensityRows } from './rows.js';

/** Above this many stored rows the fit's in-sample log-likelihood is estimated on a seeded sample of them. */
export const SCORE_ROWS = 10_000;

/** What `fit K on d` accepts: no `by` (the language's default, em) or `by em`; a KDE runs no optimizer. */
export function kdeMethodProblem(_graph: IRGraph, settings: FitSettings, names: { readonly model: string; readonly data: string }): { message: string; hint?: string } | undefined {
  if (settings.method === 'em') return undefined;
  return {
    message: `${names.model} is a kernel density estimate: its fit stores the data and picks the bandwidth, it runs no ${settings.method}`,
    hint: `write 'fit ${names.model} on ${names.data}' (choose the bandwidth in the model: kde(bandwidth = cv(grid = [...])))`,
  };
}

export function kdeFitCost(model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number): FitCost {
  const o = kdeNode(graph).options;
  const d = graph.vars.length;
  const n = Math.min(rows, typeof o.max_points === 'number' ? o.max_points : MAX_POINTS);
  const grid = Array.isArray(o.cv_grid) ? o.cv_grid.length : 0;
  // stored points (+ a whitened copy per evaluation plan); CV builds a fold's KDE per grid value
  const bytes = 8 * n * (2 * d + 2) * (grid ? 2 : 1);
  const estimate = { parameters: n * d + d * d, parameterBytes: 8 * (n * d + d * d), bytesPerRow: Math.ceil(bytes / Math.max(1, n)), flopsPerRow: 3 * d * n * Math.max(1, grid) };
  return { model, data, method: settings.method, rows, estimate, bytes };
}

function subsample(x: Float64Array, w: Float64Array, n: number, d: number, keep: number, seed: number): { x: Float64Array; w: Float64Array } {
  const rng = new Rng(seed);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < keep; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const chosen = Array.from(idx.subarray(0, keep)).sort((a, b) => a - b);
  const xs = new Float64Array(keep * d);
  chosen.forEach((i, r) => xs.set(x.subarray(i * d, i * d + d), r * d));
  return { x: xs, w: Float64Array.from(chosen, (i) => w[i]!) };
}

export function* kdeFitSteps(req: FitRequest): Steps<FamilyFitted> {
  const graph = req.state.graph;
  const o = kdeNode(graph).options;
  const d = graph.vars.length;
  const notes: string[] = [];
  let x = req.x.subarray(0, req.rows * d);
  let w = req.weights.subarray(0, req.rows);
  let n = req.rows;
  const max = typeof o.max_points === 'number' ? o.max_points : MAX_POINTS;
  const seed = typeof o.seed === 'number' ? o.seed : 1;
  if (n > max) {
    ({ x, w } = subsample(x, w, n, d, max, seed));
    notes.push(`stored a seeded subsample of ${max} of the ${n} rows (max_points = ${max}; artifacts save the stored points)`);
    n = max;
  }
  const weighted = w.some((v) => v !== 1);
  const spec: KdeSpec = {
    data: x,
    d,
    columns: kdeColumns(graph.vars),
    kernel: o.kernel as KdeSpec['kernel'],
    form: o.form as KdeSpec['form'],
    ...(weighted ? { weights: w } : {}),
  };
  let kde: Kde;
  let free = 0;
  let interrupted = false;
  let iterations = 0;
  let cv: { value: number; score: number }[] | undefined;
  const wrap = <T,>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof PmixError) throw new PmixError(`fitting ${req.model} on ${req.data}: ${e.message}`, e.code, e.hint);
      throw e;
    }
  };
  if (o.bandwidth === 'cv') {
    const grid = o.cv_grid as number[];
    const scale = (o.cv_scale as 'h' | 'whitened' | undefined) ?? 'h';
    const base = wrap(() => createKde({ ...spec, bandwidth: 1 }));
    const k = typeof o.cv_folds === 'number' ? o.cv_folds : Math.min(5, n);
    if (k > n || k < 2) throw new PmixError(`fitting ${req.model} on ${req.data}: cv folds = ${k} needs at least ${Math.max(2, k)} rows (it has ${n})`, 'kde');
    const folds = foldsOf(n, k, typeof o.cv_seed === 'number' ? o.cv_seed : seed);
    cv = [];
    for (const v of grid) {
      if (req.signal?.aborted) {
        interrupted = true;
        break;
      }
      const score = wrap(() => cvScore(base, spec, v, scale, folds, k));
      cv.push({ value: v, score });
      iterations++;
      req.onProgress?.({ restart: 1, restarts: 1, iteration: iterations, maxIter: grid.length, meanLogLikelihood: score });
      yield { restart: 1, iteration: iterations, best: () => undefined };
    }
    if (!cv.length) throw new PmixError(`fitting ${req.model} was interrupted before any bandwidth was scored`, 'interrupted');
    const best = cv.reduce((a, b) => (b.score > a.score ? b : a));
    const chosen = wrap(() => createKde({ ...spec, bandwidth: scale === 'h' ? best.value : { whitened: best.value } }));
    kde = { ...chosen, bandwidthLabel: `cross-validated (${k}-fold, ${scale === 'h' ? 'H = v^2 I' : 'H = v^2 Cov'}): v = ${best.value}` };
    free = 1;
  } else {
    const bw = o.bandwidth as BandwidthSpec;
    kde = wrap(() => createKde({ ...spec, bandwidth: bw }));
    free = o.bandwidth === 'scott' || o.bandwidth === 'silverman' ? 1 : o.bandwidth === 'normal_reference' ? kde.real.length : 0;
  }
  const extra: Record<string, string | number | boolean | readonly number[]> = { bandwidth_free: free, rows_seen: req.rows };
  if (cv) {
    extra.cv_values = cv.map((c) => c.value);
    extra.cv_scores = cv.map((c) => c.score);
  }
  const state = new ModelState(fittedGraph(graph, kde, extra));
  // the in-sample log-likelihood (each point's own kernel included), weighted as the fit's rows;
  // above SCORE_ROWS stored rows it is estimated on a seeded sample of them (n^2 work otherwise)
  let total = 0;
  for (let i = 0; i < kde.n; i++) total += w[i]!;
  let meanLl: number;
  if (kde.n > SCORE_ROWS) {
    const s = subsample(kde.x, w, kde.n, d, SCORE_ROWS, seed + 1);
    const lp = kdeLogDensityRows(state, s.x, SCORE_ROWS);
    let acc = 0;
    let ws = 0;
    for (let i = 0; i < SCORE_ROWS; i++) {
      acc += s.w[i]! * lp[i]!;
      ws += s.w[i]!;
    }
    meanLl = acc / ws;
    notes.push(`the mean log-likelihood is estimated on a seeded sample of ${SCORE_ROWS} of the ${kde.n} stored rows`);
  } else {
    const lp = kdeLogDensityRows(state, kde.x, kde.n);
    let acc = 0;
    for (let i = 0; i < kde.n; i++) acc += w[i]! * lp[i]!;
    meanLl = acc / total;
  }
  const ll = meanLl * total;
  const dr = kde.real.length;
  const details = {
    kernel: kde.kernel,
    form: kde.form,
    points: kde.n,
    bandwidth: kde.bandwidthLabel,
    bandwidth_matrix: Array.from({ length: dr }, (_, a) => Array.from(kde.H.subarray(a * dr, a * dr + dr))),
    ...(dr ? { h: Array.from({ length: dr }, (_, a) => Math.sqrt(kde.H[a * dr + a]!)), columns: Array.from(kde.real, (j) => kde.columns[j]!.name) } : {}),
    ...(cv ? { cv: cv.map((c) => ({ value: c.value, mean_heldout_log_likelihood: c.score })) } : {}),
    notes,
  };
  return {
    state,
    iterations,
    // no optimizer runs: a rule or a written bandwidth has nothing to fit; CV converges when its grid is scored
    converged: !!cv && !interrupted,
    stop: interrupted ? 'interrupted' : cv ? 'converged' : 'nothing_to_fit',
    criterion: `a kernel density estimate: ${kde.n} points stored, bandwidth ${kde.bandwidthLabel}`,
    ...(interrupted ? { interrupted: true } : {}),
    meanLogLikelihood: meanLl,
    logLikelihood: ll,
    observations: total,
    parameters: free,
    details: { kde: details },
  };
}
