// Sparse GP experts in EM (expert-gp-sparse.ts has the bound): each expert's fit on its points,
// cached per state while its hyperparameters and weights stay the same; its predictive moments;
// the training points' leave-one-out moments (the E-step); and the M-step, `steps` L-BFGS steps
// on the collapsed bound plus ((n - sum_i r_ik) / 2) log sigma_k^2, as the exact experts' M-step.
import { PmixError } from '../../runtime/errors.js';
import { GPCore } from '../../runtime/gp/core.js';
import { hasPriors, logPrior } from '../../runtime/gp/prior.js';
import { lbfgs } from '../../runtime/learners/lbfgs.js';
import type { ModelState } from '../../runtime/state.js';
import { expertState, GP_SCALE, GP_TRAIN_X, MIN_R, trainData, writeBack, type GpExperts } from './expert-gp.js';
import { GP_INDUCING, sparseBound, sparseMoments, type SparseFit } from './expert-gp-sparse.js';

type Fit = { core: GPCore; fit: SparseFit; d: ReturnType<typeof trainData> };
const fits = new WeakMap<ModelState, { key: string; fits: Fit[] }>();

function inducing(g: GpExperts): { z: Float64Array; m: number } {
  const z = g.state.values.get(GP_INDUCING);
  if (!z) throw new Error('sparse GP experts without inducing points');
  return { z, m: z.length / g.D };
}

function fitsOf(g: GpExperts): Fit[] {
  const key = [...g.state.values.entries()].filter(([n]) => n !== GP_TRAIN_X).map(([, v]) => Array.from(v).join(',')).join(';');
  const hit = fits.get(g.state);
  if (hit && hit.key === key) return hit.fits;
  const { z, m } = inducing(g);
  const out = Array.from({ length: g.K }, (_, k) => {
    const core = new GPCore(expertState(g, k), g.template);
    const d = trainData(g, k);
    return { core, fit: sparseBound(core, d, z, m, false), d };
  });
  fits.set(g.state, { key, fits: out });
  return out;
}

export function sparseGpMoments(g: GpExperts, X: Float64Array, n: number): { mean: Float64Array; vars: Float64Array } {
  const mean = new Float64Array(n * g.K);
  const vars = new Float64Array(n * g.K);
  const { z } = inducing(g);
  fitsOf(g).forEach(({ core, fit }, k) => sparseMoments(core, fit, z, X, n, mean, vars, g.K, k));
  return { mean, vars };
}

/** Leave-one-out moments at the stored points under each expert's N(m, Q + Lambda): y_i - alpha_i / [C^-1]_ii, 1 / [C^-1]_ii - lambda_i + sigma^2. */
export function sparseGpLooMoments(g: GpExperts): { mean: Float64Array; vars: Float64Array } {
  const X = g.state.values.get(GP_TRAIN_X)!;
  const N = X.length / g.D;
  const { mean, vars } = sparseGpMoments(g, X, N);
  fitsOf(g).forEach(({ core, fit, d }, k) => {
    const s2 = core.noiseOf(0);
    for (let j = 0; j < d.n; j++) {
      const c = fit.cinvDiag[j]!;
      const i = d.idx[j]!;
      mean[i * g.K + k] = d.y[j]! - fit.alpha[j]! / c;
      vars[i * g.K + k] = Math.max(1 / c - s2 * d.noiseScale![j]!, 0) + s2;
    }
  });
  return { mean, vars };
}

export function sparseGpMStep(g: GpExperts, R: Float64Array, steps: number): void {
  const sc = g.state.values.get(GP_SCALE)!;
  const n = sc.length / g.K;
  for (let k = 0; k < g.K; k++) for (let i = 0; i < n; i++) sc[k * n + i] = R[i * g.K + k]! >= MIN_R ? 1 / R[i * g.K + k]! : 0;
  const { z, m: M } = inducing(g);
  for (let k = 0; k < g.K; k++) {
    const s = expertState(g, k);
    const core = new GPCore(s, g.template);
    if (core.dim === 0) continue;
    const d = trainData(g, k);
    if (d.n === 0) continue;
    const priors = hasPriors(core);
    let mass = 0;
    for (let i = 0; i < d.n; i++) mass += 1 / d.noiseScale![i]!;
    const c = (d.n - mass) / 2;
    const noiseName = g.template.noise;
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      core.unpack(theta);
      try {
        const r = sparseBound(core, d, z, M, true);
        const s2 = core.noiseOf(0);
        r.grad!.get(noiseName)?.forEach((v, i, a) => (a[i] = v + c / s2));
        const lp = (priors ? logPrior(core, r.grad!) : 0) + c * Math.log(s2);
        grad.set(core.packGrad(r.grad!));
        for (let i = 0; i < grad.length; i++) grad[i] = -grad[i]!;
        if (!Number.isFinite(r.F + lp) || grad.some((v) => !Number.isFinite(v))) return Infinity;
        return -(r.F + lp);
      } catch (e) {
        if (e instanceof PmixError && e.code === 'not-positive-definite') return Infinity;
        throw e;
      }
    };
    const start = core.pack();
    const { lower, upper } = core.bounds();
    const run = lbfgs(objective, start, { maxIter: steps, lower, upper });
    let best = start;
    for (;;) {
      const r = run.next();
      if (r.done) {
        if (Number.isFinite(r.value.f)) best = Float64Array.from(r.value.x);
        break;
      }
      if (Number.isFinite(r.value.f)) best = Float64Array.from(r.value.x);
    }
    core.unpack(best);
    writeBack(g, k, s);
  }
}
