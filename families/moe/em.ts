// EM for a mixture of experts as a learner of the one fit driver (runtime/learners/driver.ts):
// each restart starts from k-means on the standardized (inputs, outputs) (seed + restart), an
// iteration is an E-step (responsibilities, the objective at the current parameters) then the
// experts' weighted least squares and the gate's M-step (Newton steps for softmax gates, closed
// form for Gaussian ones). Every step is a maximization or a non-decrease of its part of the
// expected complete-data objective, so the objective never falls (test/moe/em.test.ts).
import { PmixError } from '../../runtime/errors.js';
import { kmeans } from '../../runtime/kmeans.js';
import type { Learner, LearnerRun } from '../../runtime/learners/driver.js';
import type { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import type { MoeData } from './data.js';
import { gpMStep, initGpExperts, withGpTraining } from './expert-gp.js';
import { sparseGpMStep } from './expert-gp-sparse-em.js';
import { glmMStep } from './expert-glm.js';
import { categoricalMStep } from './expert-categorical.js';
import { linearMStep } from './expert-linear.js';
import { initLeafExperts, leafMStep } from './expert-leaf.js';
import { gaussianMStep } from './gate-gaussian.js';
import { softmaxMStep } from './gate-softmax.js';
import { treeMStep } from './gate-tree.js';
import { orderForTree } from './init-tree.js';
import { eStep, modelOf, type MoeModel } from './model.js';
import { specOf } from './spec.js';

export interface EmOptions {
  readonly restarts: number;
  readonly maxIter: number;
  readonly seed: number;
  /** Noise floors, variances per output and per input (Gaussian gate). */
  readonly outputFloor: Float64Array;
  readonly inputFloor: Float64Array;
  /** Newton steps of the softmax gate per M-step. */
  readonly gateSteps?: number;
}

const totalWeight = (d: MoeData): number => d.w.reduce((a, b) => a + b, 0);

/** One M-step from responsibilities R (experts first, then the gate). */
// Newton steps of GLM, multinomial and leaf experts: many at the first M-step (from the start
// values), few after (each M-step starts where the last ended).
export function mStep(m: MoeModel, d: MoeData, R: Float64Array, o: Pick<EmOptions, 'outputFloor' | 'inputFloor' | 'gateSteps'>, gateSteps = o.gateSteps ?? 5, gpSteps?: number, expertSteps = 5): void {
  if (m.linear) linearMStep(m.linear, d, R, o.outputFloor);
  else if (m.glm) glmMStep(m.glm, d, R, expertSteps);
  else if (m.cat) categoricalMStep(m.cat, d, R, expertSteps);
  else if (m.leaf) leafMStep(m.leaf, d, R, expertSteps);
  else (m.spec.inducing !== undefined ? sparseGpMStep : gpMStep)(m.gpx!, R, gpSteps ?? m.spec.gpSteps);
  if (m.softmax) softmaxMStep(m.softmax, d, R, gateSteps);
  else if (m.tree) treeMStep(m.tree, d, R, gateSteps);
  else gaussianMStep(m.gaussian!, d, R, o.inputFloor);
}

/** Starting responsibilities: k-means labels of the standardized rows, softened (0.9 on the label). */
export function initialResponsibilities(d: MoeData, D: number, P: number, K: number, rng: Rng): Float64Array {
  const F = D + P;
  const f = new Float64Array(d.n * F);
  for (let c = 0; c < F; c++) {
    let s = 0;
    let ss = 0;
    let cnt = 0;
    const at = (i: number): number => (c < D ? d.X[i * D + c]! : d.Y[i * P + c - D]!);
    for (let i = 0; i < d.n; i++) {
      const v = at(i);
      if (Number.isNaN(v)) continue;
      s += v;
      ss += v * v;
      cnt++;
    }
    const mean = cnt ? s / cnt : 0;
    const sd = cnt ? Math.sqrt(Math.max(ss / cnt - mean * mean, 0)) || 1 : 1;
    for (let i = 0; i < d.n; i++) {
      const v = at(i);
      f[i * F + c] = Number.isNaN(v) ? 0 : (v - mean) / sd;
    }
  }
  const labels = kmeans(f, d.n, F, K, d.w, rng);
  const R = new Float64Array(d.n * K).fill(K > 1 ? 0.1 / (K - 1) : 1);
  if (K > 1) for (let i = 0; i < d.n; i++) R[i * K + labels[i]!] = 0.9;
  return R;
}

export function emLearner(base: ModelState, d: MoeData, o: EmOptions, model: string): Learner {
  const W = totalWeight(d);
  return {
    restarts: o.restarts,
    maxIter: o.maxIter,
    limit: `max_iter = ${o.maxIter}`,
    start(restart: number): LearnerRun {
      const gp = specOf(base.graph).expert === 'gp';
      // GP experts keep the training points (their posteriors need them)
      const state = gp ? withGpTraining(base, d, specOf(base.graph).K) : base.clone();
      const m = modelOf(state);
      const { K, D, P } = m.spec;
      if (m.gpx) initGpExperts(m.gpx);
      if (m.leaf) initLeafExperts(m.leaf, d);
      const R0 = initialResponsibilities(d, D, P, K, new Rng(o.seed + restart));
      mStep(m, d, m.tree && m.tree.fan.length > 1 ? orderForTree(R0, d, D, K) : R0, o, 25, m.gpx ? 4 * m.spec.gpSteps : undefined, 25);
      return {
        state,
        *iterate(it: number) {
          const e = eStep(m, d, true);
          if (!Number.isFinite(e.objective)) {
            throw new PmixError(`fitting ${model}: the EM objective became ${e.objective} at iteration ${it} (restart ${restart + 1}); an expert's noise or the gate went degenerate`, 'degenerate', 'give reg_covar a larger value, e.g. em(reg_covar = 1e-3), or fewer experts');
          }
          mStep(m, d, e.R, o);
          return e.objective / W;
        },
        *finish() {
          return { state, meanLogLikelihood: eStep(m, d, true).objective / W };
        },
      };
    },
  };
}
