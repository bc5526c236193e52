// Adam for a mixture of experts with a softmax gate and linear (diag noise), Poisson, Bernoulli or
// multinomial experts: full-batch ascent of the EM objective (the conditional log-likelihood minus
// the ridge penalties) through the Fisher identity, d/dtheta log p(y | x) = sum_k r_k d/dtheta
// [log g_k(x) + log f_k(y | x)] with r the responsibilities at the current parameters. Linear
// experts' variances move on the log scale (no bound to guard). Each restart starts where EM's
// does (k-means responsibilities, one M-step); an iteration is one Adam step.
import { PmixError } from '../../runtime/errors.js';
import { AdamOptimizer } from '../../runtime/learners/adam-optimizer.js';
import type { Learner } from '../../runtime/learners/driver.js';
import type { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import type { MoeData } from './data.js';
import { initialResponsibilities, mStep } from './em.js';
import { categoricalProbs } from './expert-categorical.js';
import { glmMean } from './expert-glm.js';
import { eStep, logGate, modelOf, type MoeModel } from './model.js';
import type { MoeSpec } from './spec.js';

/** Why Adam cannot fit this model (undefined: it can). */
export function adamProblem(spec: MoeSpec): string | undefined {
  if (spec.gate !== 'softmax' || spec.top < spec.K) return 'adam fits mixtures of experts with a dense softmax gate';
  if (spec.expert === 'gp') return 'adam does not fit GP experts (their M-step is the weighted marginal likelihood)';
  if (spec.expert === 'linear' && spec.noise !== 'diag') return 'adam fits linear experts with diag noise';
  return undefined;
}

export interface MoeGradient {
  readonly gate: Float64Array;
  readonly coef: Float64Array;
  /** Linear experts: d/d log(variance), [K, P]. */
  readonly logNoise?: Float64Array;
  readonly objective: number;
}

/** The EM objective and its gradient at the model's current parameters. */
export function moeGradient(m: MoeModel, d: MoeData): MoeGradient {
  const { K, D, P } = m.spec;
  const M1 = D + 1;
  const e = eStep(m, d);
  const lg = logGate(m, d.X, d.n);
  const g = m.softmax!;
  const gate = new Float64Array(g.W.length);
  const coefArr = (m.linear ?? m.glm ?? m.cat)!.coef;
  const coef = new Float64Array(coefArr.length);
  const logNoise = m.linear ? new Float64Array(K * P) : undefined;
  const probs = m.cat ? categoricalProbs(m.cat, d.X, d.n) : undefined;
  const xt = new Float64Array(M1);
  for (let i = 0; i < d.n; i++) {
    const w = d.w[i]!;
    for (let j = 0; j < D; j++) xt[j] = d.X[i * D + j]!;
    xt[D] = 1;
    for (let k = 0; k < K; k++) {
      const r = e.R[i * K + k]!;
      if (k < K - 1) for (let a = 0; a < M1; a++) gate[k * M1 + a] += w * (r - Math.exp(lg[i * K + k]!)) * xt[a]!;
      const wr = w * r;
      if (wr === 0) continue;
      if (m.linear) {
        for (let p = 0; p < P; p++) {
          const y = d.Y[i * P + p]!;
          if (Number.isNaN(y)) continue;
          let mu = 0;
          for (let a = 0; a < M1; a++) mu += m.linear.coef[(k * P + p) * M1 + a]! * xt[a]!;
          const s2 = m.linear.noise[k * P + p]!;
          for (let a = 0; a < M1; a++) coef[(k * P + p) * M1 + a] += (wr * (y - mu) * xt[a]!) / s2;
          logNoise![k * P + p] += 0.5 * wr * ((y - mu) ** 2 / s2 - 1);
        }
      } else if (m.glm) {
        const y = d.Y[i]!;
        if (Number.isNaN(y)) continue;
        let t = 0;
        for (let a = 0; a < M1; a++) t += m.glm.coef[k * M1 + a]! * xt[a]!;
        const mu = glmMean(m.glm.kind, t);
        for (let a = 0; a < M1; a++) coef[k * M1 + a] += wr * (y - mu) * xt[a]!;
      } else {
        const c = m.cat!;
        const y = d.Y[i]!;
        if (Number.isNaN(y)) continue;
        for (let l = 1; l < c.L; l++) {
          const resid = (y === l ? 1 : 0) - probs![(i * K + k) * c.L + l]!;
          for (let a = 0; a < M1; a++) coef[(k * (c.L - 1) + l - 1) * M1 + a] += wr * resid * xt[a]!;
        }
      }
    }
  }
  // ridge penalties on the slopes (not the intercepts)
  for (let k = 0; k < K - 1; k++) for (let j = 0; j < D; j++) gate[k * M1 + j] -= g.ridge * g.W[k * M1 + j]!;
  if (m.cat) for (let r = 0; r < K * (m.cat.L - 1); r++) for (let j = 0; j < D; j++) coef[r * M1 + j] -= m.cat.ridge * m.cat.coef[r * M1 + j]!;
  return { gate, coef, ...(logNoise ? { logNoise } : {}), objective: e.objective };
}

export interface MoeAdamOptions {
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
  readonly outputFloor: Float64Array;
  readonly inputFloor: Float64Array;
}

export function adamMoeLearner(base: ModelState, d: MoeData, o: MoeAdamOptions, model: string): Learner {
  const W = d.w.reduce((a, b) => a + b, 0);
  return {
    restarts: 1,
    maxIter: o.epochs,
    limit: `epochs = ${o.epochs}`,
    start(restart: number) {
      const state = base.clone();
      const m = modelOf(state);
      const { K, D, P } = m.spec;
      mStep(m, d, initialResponsibilities(d, D, P, K, new Rng(o.seed + restart)), o, 25);
      const opt = new AdamOptimizer(o.lr);
      const coef = (m.linear ?? m.glm ?? m.cat)!.coef;
      const logVar = m.linear ? m.linear.noise.map(Math.log) : undefined;
      return {
        state,
        *iterate(it: number) {
          const g = moeGradient(m, d);
          if (!Number.isFinite(g.objective)) throw new PmixError(`fitting ${model} by adam: the objective became ${g.objective} at epoch ${it}`, 'degenerate', 'try a smaller lr, e.g. adam(lr = 0.01)');
          opt.begin();
          opt.ascend('gate', m.softmax!.W, g.gate, { divide: W });
          opt.ascend('coef', coef, g.coef, { divide: W });
          if (logVar) {
            opt.ascend('noise', logVar, g.logNoise!, { divide: W });
            // the noise floor of EM (reg_covar times the output's variance) holds here too
            logVar.forEach((v, i) => {
              const floor = o.outputFloor[i % P]!;
              const s2 = Math.max(Math.exp(v), floor);
              m.linear!.noise[i] = s2;
              logVar[i] = Math.log(s2);
            });
          }
          return g.objective / W;
        },
        *finish() {
          return { state, meanLogLikelihood: eStep(m, d).objective / W };
        },
      };
    },
  };
}
