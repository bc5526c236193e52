// Predictions of a categorical (multiclass) GP fitted by the Laplace approximation: per test point
// the C latents' mean and covariance (R&W Algorithm 3.4, multiclass.ts) and the class probabilities
// (multiclass-probs.ts). A Prediction's mean and varF are then those of the most probable class's
// latent; `probs` holds every class's probability.
import { PmixError } from '../errors.js';
import type { ModelState } from '../state.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';
import { multiclassLatent, multiclassPosterior, type MulticlassPosterior } from './multiclass.js';
import { classProbabilities } from './multiclass-probs.js';
import type { Prediction } from './variances.js';

const cache = new WeakMap<ModelState, { key: string; post: MulticlassPosterior }>();

function posterior(state: ModelState, core: GPCore, d: GPData): MulticlassPosterior {
  const key = core.hyperNames.map((n) => Array.from(state.values.get(n)!).join(',')).join(';');
  const hit = cache.get(state);
  if (hit && hit.key === key) return hit.post;
  const post = multiclassPosterior(core, d);
  cache.set(state, { key, post });
  return post;
}

export function multiclassPredictScaled(state: ModelState, core: GPCore, d: GPData, xs: Float64Array, m: number, opts: { cov?: boolean }): Prediction {
  if (opts.cov) throw new PmixError('posterior samples of a categorical GP are not supported (it has one latent function per class): ask predict(...) without samples, or p(label | ...)', 'unsupported');
  const post = posterior(state, core, d);
  const n = d.n;
  const C = post.C;
  const ev = core.evaluator;
  const ks = new Float64Array(m * n);
  ev.value(ev.pairs(xs, d.x, 0, m, n), ks);
  const kss = new Float64Array(m);
  ev.value(ev.pairs(xs, xs, 0, m, m, { paired: true }), kss);
  const mean = new Float64Array(m);
  const varF = new Float64Array(m);
  const probs = new Float64Array(m * C);
  for (let i = 0; i < m; i++) {
    const lat = multiclassLatent(post, ks.subarray(i * n, (i + 1) * n), kss[i]!);
    const p = classProbabilities(lat.mean, lat.cov);
    probs.set(p, i * C);
    let best = 0;
    for (let c = 1; c < C; c++) if (p[c]! > p[best]!) best = c;
    mean[i] = lat.mean[best]!;
    varF[i] = Math.max(0, lat.cov[best * C + best]!);
  }
  return { m, mean, varF, varY: varF, probs };
}

/** The names of the class-probability columns: p_LEVEL for a categorical label, p_0 .. p_{C-1} for ints. */
export function classColumns(state: ModelState, output: number, C: number): string[] {
  const t = state.graph.vars[output]!.type;
  return Array.from({ length: C }, (_, c) => `p_${t.kind === 'categorical' ? t.levels[c] : c}`);
}

/** One point's probabilities by column name. */
export function classSummary(cols: readonly string[], probs: Float64Array, k: number): Record<string, number> {
  const C = cols.length;
  return Object.fromEntries(cols.map((name, c) => [name, probs[k * C + c]!]));
}
