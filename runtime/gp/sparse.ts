// Sparse variational GP (Hensman, Fusi & Lawrence 2013) in the whitened parametrization:
// M inducing inputs Z (k-means centres, then fixed), u = f(Z) = L v with L L^T = Kmm, and
// q(v) = N(m, S) against the prior N(0, I). The evidence lower bound
//   ELBO = sum_i E_q[log N(y_i | f_i, noise)] - KL(q(v) || N(0, I))  <=  log marginal likelihood
// is estimated on mini-batches: q(v) moves by natural-gradient steps towards the batch's
// optimum (its precision I + sum A_i^T A_i / noise is always positive definite), the
// hyperparameters by Adam on the ELBO's analytic gradient (through L by the Cholesky's
// reverse mode). Nothing inverts Kmm explicitly. Memory is O(M^2 + B M) whatever the number
// of rows. With A = K_xm L^-T:  q(f_i) = N(m(x_i) + A_i m, k_ii + A_i (S - I) A_i^T).
import type { AdamSettings } from '../../compiler/program.js';
import { Rng } from '../../stdlib/random.js';
import { kmeans } from '../kmeans.js';
import { PmixError } from '../errors.js';
import { AdamOptimizer, adamConvergence } from '../learners/adam-optimizer.js';
import type { Steps } from '../learners/drive.js';
import { drive, type Learner } from '../learners/driver.js';
import type { FitProgress } from '../learners/types.js';
import type { ModelState } from '../state.js';
import { GPCore } from './core.js';
import type { GPData } from './data.js';
import { gpNode, prepareOutputs, normalizationLogJac, type GPFitted } from './fit.js';
import { initializeFromData } from './init.js';
import { logPrior } from './prior.js';
import { gpLikelihood, initLikelihood } from './laplace.js';
import { SVGP_QUADRATURE } from './sparse-lik.js';
import { diagVariances, type Prediction } from './variances.js';
import { batchElbo } from './sparse-elbo.js';
import { fromNatural, optimalNatural, toNatural } from './sparse-natural.js';
import { columnScales, covFromSqrt, inducing, shrink, sparseNames, whitened } from './sparse-inducing.js';

export function sparsePredictScaled(state: ModelState, core: GPCore, xs: Float64Array, n: number, opts: { cov?: boolean }): Prediction {
  const names = sparseNames(state);
  const M = names.m;
  const ind = inducing(core, state.values.get(names.z)!, M);
  const qm = state.values.get(names.qm)!;
  const s = covFromSqrt(state.values.get(names.qs)!, M);
  const at = whitened(core, ind, xs, n);
  const t = shrink(s, at, M, n);
  const mean = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = core.meanAt(xs, i);
    for (let j = 0; j < M; j++) v += at[j * n + i]! * qm[j]!;
    mean[i] = v;
  }
  const quad = (i: number, k: number): number => {
    let v = 0;
    for (let j = 0; j < M; j++) v += at[j * n + i]! * t[j * n + k]!;
    return v;
  };
  const { varF, varY } = diagVariances(core, xs, n, (i) => -quad(i, i));
  let cov: Float64Array | undefined;
  if (opts.cov) {
    cov = new Float64Array(n * n);
    const ev = core.evaluator;
    ev.value(ev.pairs(xs, xs, 0, n, n), cov);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) cov[i * n + k] += quad(i, k);
  }
  return { m: n, mean, varF, varY, ...(cov ? { cov } : {}) };
}

/** Sets q(v) to its optimum for all the data at the current hyperparameters (the Titsias bound). */
export function setOptimalQ(state: ModelState, d: GPData): void {
  const core = new GPCore(state, gpNode(state.graph));
  const names = sparseNames(state);
  const ind = inducing(core, state.values.get(names.z)!, names.m);
  const qm = state.values.get(names.qm)!;
  const qs = state.values.get(names.qs)!;
  // A non-Gaussian likelihood's optimum is a fixed point: natural-gradient steps, of size 1
  // (Newton's method on q) for log-concave likelihoods, damped to 0.3 for student_t.
  const lik = core.node.likelihood ? gpLikelihood(core) : undefined;
  const steps = lik ? 300 : 1;
  const rho = lik && !lik.lik.logConcave ? 0.3 : 1;
  let nat = toNatural(qm, qs, names.m);
  for (let s = 0; s < steps; s++) {
    const opt = optimalNatural(core, ind, d.x, d.y, d.n, d.n, { qm, qs });
    const lambda = nat.lambda.map((v, k) => (1 - rho) * v + rho * opt.lambda[k]!);
    const eta1 = nat.eta1.map((v, k) => (1 - rho) * v + rho * opt.eta1[k]!);
    if (!fromNatural(lambda, eta1, names.m, qm, qs)) throw new PmixError('the optimal q(u) is numerically singular', 'not-positive-definite');
    nat = { lambda, eta1 };
  }
}

/**
 * The ELBO on all of the data (on the GP's scale), and its gradient when asked: the
 * hyperparameters' in `grad`, and the inducing inputs' when `grad` has an entry (M x stride)
 * under the inducing parameter's name.
 */
export function sparseElbo(state: ModelState, d: GPData, grad?: Map<string, Float64Array>): number {
  const core = new GPCore(state, gpNode(state.graph));
  const names = sparseNames(state);
  const ind = inducing(core, state.values.get(names.z)!, names.m);
  return batchElbo(core, ind, state.values.get(names.qm)!, state.values.get(names.qs)!, d.x, d.y, d.n, d.n, grad, d.task, grad?.get(names.z));
}

/** Inducing inputs: k-means centres of (at most 20,000 sampled) training inputs. */
export function initInducing(state: ModelState, d: GPData, rng: Rng): void {
  const names = sparseNames(state);
  const M = names.m;
  if (d.n < M) throw new PmixError(`sparse(m = ${M}) needs at least ${M} training rows; the data has ${d.n}`, 'bad-value', 'lower m, or use exact inference');
  const take = Math.min(d.n, 20000);
  const idx = sampleIndices(d.n, take, rng);
  const f = new Float64Array(take * d.stride);
  idx.forEach((r, i) => f.set(d.x.subarray(r * d.stride, (r + 1) * d.stride), i * d.stride));
  const labels = kmeans(f, take, d.stride, M, new Float64Array(take).fill(1), rng, 30);
  const z = new Float64Array(M * d.stride);
  const cnt = new Float64Array(M);
  for (let i = 0; i < take; i++) {
    cnt[labels[i]!]++;
    for (let c = 0; c < d.stride; c++) z[labels[i]! * d.stride + c] += f[i * d.stride + c]!;
  }
  for (let k = 0; k < M; k++) {
    if (cnt[k]! > 0) for (let c = 0; c < d.stride; c++) z[k * d.stride + c] /= cnt[k]!;
    else z.set(f.subarray((k % take) * d.stride, (k % take + 1) * d.stride), k * d.stride);
  }
  state.values.get(names.z)!.set(z);
}

function sampleIndices(n: number, k: number, rng: Rng): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  while (out.size < k) out.add(rng.int(n));
  return [...out].sort((a, b) => a - b);
}

/**
 * Minibatch training: per batch a natural-gradient step on q(u) (step `rho`), then Adam on
 * the hyperparameters and (unless learn_inducing = false) the inducing inputs, the latter in
 * units of each input column's standard deviation so one learning rate fits both.
 */
export function* fitSparseSteps(initial: ModelState, d: GPData, settings: AdamSettings, onProgress?: (p: FitProgress) => void, signal?: AbortSignal): Steps<GPFitted> {
  const state = initial.clone();
  const node = gpNode(state.graph);
  if ((node.outputs?.length ?? 1) > 1) throw new PmixError('sparse inference of multitask GPs is not supported yet; use exact inference', 'unsupported');
  const y = prepareOutputs(state, node, d);
  const scaled: GPData = { ...d, y };
  const rng = new Rng(settings.seed);
  initializeFromData(state, node, d, node.likelihood ? initLikelihood(state, node, d) : y);
  const names = sparseNames(state);
  const M = names.m;
  if (state.param(names.z).init === 'data') initInducing(state, d, rng);
  const core = new GPCore(state, node);
  const qm = state.values.get(names.qm)!;
  const qs = state.values.get(names.qs)!;
  let ind = inducing(core, state.values.get(names.z)!, M);
  let { lambda, eta1 } = toNatural(qm, qs, M);
  const B = Math.min(settings.batch, d.n);
  // Natural-gradient step: a full batch jumps to the optimum; small batches average over ~1/rho of them.
  const rho = Math.min(1, Math.max(0.05, (2 * B) / d.n));
  const theta = core.pack();
  const { lower, upper } = core.bounds();
  const z = state.values.get(names.z)!;
  const z0 = Float64Array.from(z);
  const zScale = columnScales(d);
  const gz = names.learn ? new Float64Array(M * d.stride) : undefined;
  const adam = new AdamOptimizer(settings.lr);
  const xb = new Float64Array(B * d.stride);
  const yb = new Float64Array(B);
  const order = Array.from({ length: d.n }, (_, i) => i);
  let last = -Infinity;
  const learner: Learner = {
    restarts: 1,
    maxIter: settings.epochs,
    limit: `epochs = ${settings.epochs}`,
    start: () => ({
      state,
      *iterate(epoch) {
        for (let i = d.n - 1; i > 0; i--) {
          const j = rng.int(i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        let sum = 0;
        let batches = 0;
        for (let start = 0; start + B <= d.n; start += B) {
          for (let k = 0; k < B; k++) {
            const r = order[start + k]!;
            xb.set(d.x.subarray(r * d.stride, (r + 1) * d.stride), k * d.stride);
            yb[k] = scaled.y[r]!;
          }
          // Natural-gradient step on q(v) at the current hyperparameters.
          const opt = optimalNatural(core, ind, xb, yb, B, d.n, { qm, qs });
          const nl = lambda.map((v, k) => (1 - rho) * v + rho * opt.lambda[k]!);
          const ne = eta1.map((v, k) => (1 - rho) * v + rho * opt.eta1[k]!);
          if (fromNatural(nl, ne, M, qm, qs)) {
            lambda = nl;
            eta1 = ne;
          }
          // Adam on the hyperparameters (and the inducing inputs): ascent on the ELBO per row.
          const grads = core.gradBuffers();
          gz?.fill(0);
          const elbo = batchElbo(core, ind, qm, qs, xb, yb, B, d.n, grads, undefined, gz);
          logPrior(core, grads); // priors, when given: MAP hyperparameters
          const g = core.packGrad(grads);
          if (!Number.isFinite(elbo) || g.some((v) => !Number.isFinite(v)) || gz?.some((v) => !Number.isFinite(v))) throw new PmixError(`the sparse GP's ELBO became ${elbo} at epoch ${epoch}`, 'non-finite', 'lower lr, or give the hyperparameters sensible bounds');
          adam.begin();
          adam.ascend('theta', theta, g, { divide: d.n, lower, upper });
          core.unpack(theta);
          if (gz) adam.ascend('z', z, gz, { divide: d.n, scale: zScale });
          ind = inducing(core, z, M);
          sum += elbo;
          batches++;
          yield;
        }
        last = sum / Math.max(1, batches) / d.n;
        return last;
      },
      *finish({ trace }) {
        // Interrupted before the first epoch ended: the ELBO of the initial q(v) on every row.
        if (!trace.length) last = sparseElbo(state, scaled) / d.n;
        return { state, meanLogLikelihood: last };
      },
    }),
  };
  const { result } = yield* drive(learner, { ...adamConvergence(settings), onProgress, signal });
  const notes: string[] = [];
  if (ind.jitter > 0) notes.push(`added jitter ${ind.jitter.toExponential(2)} to the inducing points' kernel matrix`);
  if (gz) {
    let moved = 0;
    for (let k = 0; k < z.length; k++) moved = Math.max(moved, Math.abs(z[k]! - z0[k]!) / zScale[k % d.stride]!);
    notes.push(`inducing inputs learned with the hyperparameters (the largest move ${moved.toPrecision(3)} input sd; learn_inducing = false keeps the k-means centres)`);
  } else notes.push('inducing inputs fixed (learn_inducing = false)');
  if (node.likelihood) notes.push(`expected log-likelihood (${node.likelihood.name}, link ${node.likelihood.link}) by ${SVGP_QUADRATURE}-point Gauss-Hermite quadrature`);
  notes.push(`ELBO per row ${last.toPrecision(6)} (mean over the last epoch's batches; a lower bound on the log marginal likelihood per row)`);
  const lml = last * d.n - normalizationLogJac(state, node, d);
  return { state, lml, iterations: result.iterations, converged: result.converged, stop: result.stop, criterion: result.criterion, interrupted: result.stop === 'interrupted', notes };
}
