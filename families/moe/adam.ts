// Adam for a mixture of experts: ascent of the EM objective (the conditional log-likelihood minus
// the ridge penalties; the joint one for a Gaussian gate) through the Fisher identity,
// d/dtheta log p(y | x) = sum_k r_k d/dtheta [log g_k(x) + log f_k(y | x)] with r the
// responsibilities at the current parameters (adam-blocks.ts: every gate and expert; GP experts
// take an Adam step on their weighted marginal likelihood, adam-gp.ts). As other families' Adam: an epoch is a pass over shuffled mini-batches of `batch` rows,
// one step each; `validation` holds out a fraction of the rows, the driver keeps the best
// held-out epoch and stops after `patience` epochs without gain. Each run starts where EM's
// first restart does (k-means responsibilities, one M-step).
import { PmixError } from '../../runtime/errors.js';
import { AdamOptimizer } from '../../runtime/learners/adam-optimizer.js';
import type { Learner } from '../../runtime/learners/driver.js';
import type { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';
import { expertBlocks, gateBlocks } from './adam-blocks.js';
import type { MoeData } from './data.js';
import { initialResponsibilities, mStep } from './em.js';
import { initLeafExperts } from './expert-leaf.js';
import { orderForTree } from './init-tree.js';
import { eStep, modelOf, type MoeModel } from './model.js';
import { specOf, type MoeSpec } from './spec.js';
import { initGpExperts, withGpTraining } from './expert-gp.js';
import { gpAdamStep } from './adam-gp.js';

/** Why Adam cannot fit this model (undefined: it can). */
export function adamProblem(_spec: MoeSpec): string | undefined {
  return undefined;
}

export interface MoeGradient {
  readonly gate: Float64Array;
  readonly coef: Float64Array;
  /** Linear experts (diag noise): d/d log(variance), [K, P]. */
  readonly logNoise?: Float64Array;
  readonly objective: number;
}

/** The EM objective and its gradient at the model's current parameters (softmax gates: `gate` is the gate's; else its first block's). */
export function moeGradient(m: MoeModel, d: MoeData): MoeGradient {
  const e = eStep(m, d);
  const gate = gateBlocks(m, d, e.R);
  const experts = expertBlocks(m, d, e.R);
  const noise = experts.find((b) => b.key === 'noise');
  return { gate: gate[0]!.grad, coef: experts[0]!.grad, ...(noise && m.linear && !m.linear.full ? { logNoise: noise.grad } : {}), objective: e.objective };
}

export interface MoeAdamOptions {
  readonly lr: number;
  readonly epochs: number;
  readonly seed: number;
  /** Rows per mini-batch (>= the rows: full batch). */
  readonly batch: number;
  /** Fraction of the rows held out for early stopping (0: none). */
  readonly validation: number;
  readonly outputFloor: Float64Array;
  readonly inputFloor: Float64Array;
}

const rowsOf = (d: MoeData, idx: readonly number[], P: number, D: number): MoeData => {
  const X = new Float64Array(idx.length * D);
  const Y = new Float64Array(idx.length * P);
  const w = new Float64Array(idx.length);
  idx.forEach((r, i) => {
    X.set(d.X.subarray(r * D, (r + 1) * D), i * D);
    Y.set(d.Y.subarray(r * P, (r + 1) * P), i * P);
    w[i] = d.w[r]!;
  });
  return { n: idx.length, X, Y, w };
};

const shuffle = (a: number[], rng: Rng): number[] => {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

export function adamMoeLearner(base: ModelState, all: MoeData, o: MoeAdamOptions, model: string): Learner {
  return {
    restarts: 1,
    maxIter: o.epochs,
    limit: `epochs = ${o.epochs}`,
    start(restart: number) {
      const { K, D, P, expert } = specOf(base.graph);
      const gp = expert === 'gp';
      const rng = new Rng(o.seed + restart);
      // the held-out rows (only drawn when asked for, so fits without validation are unchanged)
      const order = Array.from({ length: all.n }, (_, i) => i);
      // (GP experts: no held-out rows; their state stores the rows they are fitted on)
      const held = !gp && o.validation > 0 ? Math.min(all.n - 1, Math.max(1, Math.round(all.n * o.validation))) : 0;
      if (held) shuffle(order, rng.fork());
      const d = held ? rowsOf(all, order.slice(0, all.n - held), P, D) : all;
      const valid = held ? rowsOf(all, order.slice(all.n - held), P, D) : undefined;
      const W = d.w.reduce((a, b) => a + b, 0);
      // GP experts keep the training rows (their posteriors need them), scored leave-one-out as in EM
      const state = gp ? withGpTraining(base, d, K) : base.clone();
      const m = modelOf(state);
      if (m.gpx) initGpExperts(m.gpx);
      if (m.leaf) initLeafExperts(m.leaf, d);
      const R0 = initialResponsibilities(d, D, P, K, new Rng(o.seed + restart));
      mStep(m, d, m.tree && m.tree.fan.length > 1 ? orderForTree(R0, d, D, K) : R0, o, 25, m.gpx ? 4 * m.spec.gpSteps : undefined, 25);
      // top-K: the k-means start can leave a point with a kept set of experts that cannot explain
      // it, where the gradient has no signal (an expert outside a point's set gets none from it);
      // one EM iteration settles the sets first
      if (m.softmax && m.softmax.top < K) mStep(m, d, eStep(m, d, gp).R, o);
      const opt = new AdamOptimizer(o.lr);
      const rows = Array.from({ length: d.n }, (_, i) => i);
      // GP experts: full batch (an exact GP conditions on all its points)
      const full = gp || o.batch >= d.n;
      return {
        state,
        *iterate(epoch: number) {
          if (!full) shuffle(rows, rng);
          for (let start = 0; start < d.n; start += o.batch) {
            const b = full ? d : rowsOf(d, rows.slice(start, start + o.batch), P, D);
            const bw = b.w.reduce((a, c) => a + c, 0);
            if (!(bw > 0)) continue;
            const e = eStep(m, b, gp);
            if (!Number.isFinite(e.objective)) throw new PmixError(`fitting ${model} by adam: the objective became ${e.objective} at epoch ${epoch}`, 'degenerate', 'try a smaller lr, e.g. adam(lr = 0.01)');
            const blocks = [...gateBlocks(m, b, e.R, bw / W), ...(m.gpx ? [] : expertBlocks(m, b, e.R, bw / W))];
            opt.begin();
            for (const bl of blocks) {
              opt.ascend(bl.key, bl.u, bl.grad, { divide: bw });
              bl.apply();
            }
            if (m.gpx) gpAdamStep(m.gpx, e.R, opt, bw);
            // the noise floor of EM (reg_covar times the output's variance) holds here too
            if (m.linear && !m.linear.full) m.linear.noise.forEach((v, i) => (m.linear!.noise[i] = Math.max(v, o.outputFloor[i % P]!)));
            yield;
          }
          return eStep(m, d, gp).objective / W;
        },
        ...(valid
          ? {
              validationRows: valid.n,
              validate: () => eStep(m, valid).condTotal / valid.w.reduce((a, b) => a + b, 0),
            }
          : {}),
        *finish({ kept }: { kept?: ModelState }) {
          if (kept) return { state: kept, meanLogLikelihood: eStep(modelOf(kept), d, gp).objective / W };
          return { state, meanLogLikelihood: eStep(m, d, gp).objective / W };
        },
      };
    },
  };
}
