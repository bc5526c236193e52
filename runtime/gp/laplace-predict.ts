// Predictions of a GP fitted by the Laplace approximation (R&W Algorithm 3.2, in the form that
// also holds for W < 0): latent mean m(x*) + k*^T d1(f^), variance k** - k*^T R k* with
// R = (K + W^-1)^-1, and the predictive moments of y by quadrature over f (predictive.ts).
import type { ModelState } from '../state.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';
import { gpLikelihood, laplacePosterior, type LaplacePosterior } from './laplace.js';
import { predictiveMoments } from './predictive.js';
import type { Prediction } from './variances.js';

const cache = new WeakMap<ModelState, { key: string; post: LaplacePosterior }>();

function posterior(state: ModelState, core: GPCore, d: GPData): LaplacePosterior {
  const key = core.hyperNames.map((n) => Array.from(state.values.get(n)!).join(',')).join(';');
  const hit = cache.get(state);
  if (hit && hit.key === key) return hit.post;
  const post = laplacePosterior(core, d);
  cache.set(state, { key, post });
  return post;
}

export function laplacePredictScaled(state: ModelState, core: GPCore, d: GPData, xs: Float64Array, m: number, opts: { cov?: boolean }): Prediction {
  const post = posterior(state, core, d);
  const n = d.n;
  const ev = core.evaluator;
  const ks = new Float64Array(m * n);
  ev.value(ev.pairs(xs, d.x, 0, m, n), ks);
  const mean = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = core.meanAt(xs, i);
    for (let j = 0; j < n; j++) s += ks[i * n + j]! * post.g[j]!;
    mean[i] = s;
  }
  // RK = R K*^T (n x m).
  const rk = new Float64Array(n * m);
  for (let j = 0; j < n; j++) {
    for (let l = 0; l < n; l++) {
      const r = post.r[j * n + l]!;
      if (r === 0) continue;
      for (let i = 0; i < m; i++) rk[j * m + i] += r * ks[i * n + l]!;
    }
  }
  const kss = new Float64Array(m);
  ev.value(ev.pairs(xs, xs, 0, m, m, { paired: true }), kss);
  const varF = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += ks[i * n + j]! * rk[j * m + i]!;
    varF[i] = Math.max(0, kss[i]! - s);
  }
  let cov: Float64Array | undefined;
  if (opts.cov) {
    cov = new Float64Array(m * m);
    ev.value(ev.pairs(xs, xs, 0, m, m), cov);
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += ks[a * n + j]! * rk[j * m + b]!;
        cov[a * m + b] -= s;
      }
    }
  }
  return withLikelihoodMoments(core, { m, mean, varF, varY: varF, ...(cov ? { cov } : {}) });
}

/** A latent prediction (Laplace or sparse variational) with the likelihood's E[y] and Var[y] by quadrature. */
export function withLikelihoodMoments(core: GPCore, p: Prediction): Prediction {
  const lik = gpLikelihood(core);
  const meanY = new Float64Array(p.m);
  const varY = new Float64Array(p.m);
  for (let i = 0; i < p.m; i++) {
    const mo = predictiveMoments(lik, p.mean[i]!, p.varF[i]!);
    meanY[i] = mo.mean;
    varY[i] = mo.variance;
  }
  return { ...p, varY, meanY };
}
