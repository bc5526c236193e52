// The online EM learner (`fit M on d by online(batch = 256, alpha = 0.6, passes = 1)`): stepwise
// EM (online-em.ts) over a stream of rows, through the one fit driver: an iteration is a pass,
// a yield follows every mini-batch (checkpoints, Ctrl-C). The parameters start from the first
// `init_rows` rows of the stream (k-means, as EM's initialization), or, for a warm start, from
// the state's own. Rows held in memory are visited in a seeded random order each pass (stepwise
// EM assumes exchangeable rows); a file or stdin is read in its own order. After the last pass
// one more read of the data gives the mean log-likelihood at the final parameters (skipped when
// interrupted: the summary then has the running one).
import type { OnlineSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { PmixError } from '../errors.js';
import { logLikelihood } from '../evaluate.js';
import type { ModelState } from '../state.js';
import { scaledRegCovar } from './collapse.js';
import type { Steps } from './drive.js';
import { drive, type Learner, type LearnerRun } from './driver.js';
import { checkFinite } from './em.js';
import { initialize } from './initialize.js';
import { ONLINE_DEFAULTS, StepwiseEM } from './online-em.js';
import type { StreamBatch, StreamFitted, StreamSource } from './stream-em.js';
import type { FitProgress } from './types.js';

/** Rows in memory as a source visiting them in a new seeded random order on every read. */
export function shuffledSource(x: Float64Array, n: number, vars: number, weights: Float64Array, seed: number): StreamSource {
  const rng = new Rng((seed ^ 0x0e1e) >>> 0);
  return {
    *batches(size) {
      const B = Math.max(1, Math.floor(size));
      const order = Int32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      const xb = new Float64Array(B * vars);
      const wb = new Float64Array(B);
      for (let s = 0; s < n; s += B) {
        const m = Math.min(B, n - s);
        for (let i = 0; i < m; i++) {
          const r = order[s + i]!;
          xb.set(x.subarray(r * vars, (r + 1) * vars), i * vars);
          wb[i] = weights[r]!;
        }
        yield { x: xb.subarray(0, m * vars), n: m, weights: wb.subarray(0, m), first: s } satisfies StreamBatch;
      }
    },
  };
}

export function* onlineEMSteps(initial: ModelState, source: StreamSource, settings: OnlineSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<StreamFitted> {
  const v = initial.graph.vars.length;
  const batch = Math.max(1, settings.batch);
  // The first rows: initialization (unless warm) and the data's scale for reg_covar.
  const initRows = Math.max(1, settings.initRows ?? ONLINE_DEFAULTS.initRows);
  let head: { x: Float64Array; n: number; w: Float64Array } | undefined;
  for (const b of source.batches(initRows)) {
    head = { x: b.x.slice(), n: b.n, w: b.weights.slice() };
    break;
  }
  if (!head || head.n === 0) throw new PmixError('the data has no rows to fit on', 'no-data');
  const regCovar = scaledRegCovar(initial, head.x, head.n, head.w, settings.regCovar);
  const state = initial.clone();
  if (!settings.warm) {
    if (!head.w.some((w) => w > 0)) throw new PmixError(`the first ${head.n} rows all have weight 0: online EM initializes from the first rows (init_rows = ${initRows})`, 'bad-data');
    initialize(state, head.x, head.n, head.w, settings.init, regCovar, new Rng(settings.seed));
    checkFinite(state, 0);
  }
  const em = new StepwiseEM(state, { alpha: settings.alpha, regCovar, smoothing: settings.smoothing });
  if (settings.warm) em.continueFrom(Math.ceil((settings.priorRows ?? 0) / batch));
  let rows = 0;
  let totalWeight = 0;
  let runLL = 0;
  let runW = 0;
  const run: LearnerRun = {
    state,
    progress: () => ({ rows: em.rows, meanLogLikelihood: runW > 0 ? runLL / runW : NaN }),
    *iterate(pass) {
      let ll = 0;
      let w = 0;
      let passRows = 0;
      let passWeight = 0;
      for (const b of source.batches(batch)) {
        const r = em.step(b.x, b.n, b.weights);
        ll += r.logLikelihood;
        w += r.weight;
        runLL = ll;
        runW = w;
        passRows += b.n;
        for (let i = 0; i < b.n; i++) passWeight += b.weights[i]!;
        yield;
      }
      if (pass === 1) {
        rows = passRows;
        totalWeight = passWeight;
        if (rows === 0) throw new PmixError('the data has no rows to fit on', 'no-data');
        if (!(totalWeight > 0)) throw new PmixError('every row has weight 0', 'bad-data');
      }
      // The running (progressive) mean log-likelihood: each row scored before its own step.
      return ll / w;
    },
    *finish({ interrupted }) {
      if (interrupted) return undefined;
      let ll = 0;
      let w = 0;
      for (const b of source.batches(Math.max(batch, 4096))) {
        const root = logLikelihood(state, b.x, b.n);
        for (let i = 0; i < b.n; i++) {
          if (b.weights[i] === 0) continue;
          ll += b.weights[i]! * root[i]!;
          w += b.weights[i]!;
        }
        yield;
      }
      return { state, meanLogLikelihood: ll / w };
    },
  };
  const learner: Learner = { restarts: 1, maxIter: settings.passes, limit: `passes = ${settings.passes}`, start: () => run };
  const { state: out, result } = yield* drive(learner, { onProgress, signal, noTest: 'online EM makes its passes' });
  return { state: out, result, rows: rows || em.rows, totalWeight: totalWeight || rows || em.rows };
}
