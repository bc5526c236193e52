// Online (stepwise) EM for any mixture or circuit whose leaves have sufficient statistics
// (Cappe & Moulines 2009; Liang & Klein 2009). The model keeps running statistics s: the
// expected edge counts of every mixing/sum node and each leaf layer's LeafStats. Per mini-batch
// of m rows the E-step (a forward and a backward pass at the current parameters) gives the
// batch's statistics s_b, blended in as
//     s <- (1 - eta_t) s + eta_t s_b,    eta_t = (t + 2)^-alpha,  alpha in (0.5, 1],
// and the M-step sets the parameters from s. The decay is LeafStats.scale; the blend is an
// accumulate with responsibilities times eta_t. Every M-step is scale-free in s (means,
// covariances and weights are ratios), so the statistics need no normalization; they stay of
// the order of a batch's weight, and smoothing acts as that many pseudo-rows.
//
// Differs from minibatch-em.ts, which moves the parameters (not the statistics) a fixed step
// towards each batch's M-step, and from stream-em.ts, which makes one exact M-step per pass.
// One pass over N rows costs one E-step per row: the same as one iteration of full-batch EM.
import { backward, forward, type EdgeCounts, type NodeValues } from '../evaluate.js';
import { PmixError } from '../errors.js';
import { gather, type ModelState } from '../state.js';
import type { LeafStats } from '../../stdlib/distributions/index.js';
import { NotPositiveDefiniteError } from '../../stdlib/distributions/index.js';
import { checkFinite, setLeafParams, weightsMStep } from './em.js';

export interface StepwiseOptions {
  /** The step-size exponent: eta_t = (t + 2)^-alpha, in (0.5, 1]. */
  readonly alpha: number;
  /** reg_covar in the data's units (added to every covariance's diagonal by the M-step). */
  readonly regCovar: number;
  /** Laplace pseudo-count of sum weights and discrete leaves. */
  readonly smoothing?: number;
}

export const ONLINE_DEFAULTS = { batch: 256, alpha: 0.6, passes: 1, initRows: 2000 } as const;

/** Layers whose leaves cannot run stepwise EM (no sufficient statistics to decay), as words; empty when all can. */
export function nonStepwiseLayers(state: ModelState): string[] {
  const out: string[] = [];
  for (const layer of state.layers.values()) {
    const fixed = fixedRoles(state, layer.node.id);
    if (fixed.size === Object.keys(layer.names).length) continue;
    const st = layer.family.newStats?.(layer.ctx, layer.params, { regCovar: 1e-6, fixed });
    if (!st?.scale) out.push(layer.family.name);
  }
  return [...new Set(out)];
}

function fixedRoles(state: ModelState, id: string): Set<string> {
  const layer = state.layers.get(id)!;
  return new Set(Object.entries(layer.names).filter(([, nm]) => state.param(nm).fixed).map(([r]) => r));
}

/** The step size of step t (0-based). */
export function stepSize(t: number, alpha: number): number {
  return Math.pow(t + 2, -alpha);
}

/**
 * The running statistics of stepwise EM over one state, updated in place by step(). Used by the
 * online learner (one step per mini-batch) and by the API's model.update(rows) (one step per call).
 */
export class StepwiseEM {
  /** Steps taken (t in eta_t). */
  steps = 0;
  /** Rows seen (with positive weight or not). */
  rows = 0;
  private readonly counts: EdgeCounts = new Map();
  private readonly leaves = new Map<string, LeafStats>();
  private readonly fixed = new Map<string, Set<string>>();
  private lastVals: NodeValues | undefined;
  private lastFlows: NodeValues | undefined;
  private readonly resp = new Map<string, Float64Array>();
  /** Set by continueFrom: the next step first fills the statistics with the current parameters'. */
  private prior = false;

  constructor(
    readonly state: ModelState,
    readonly opts: StepwiseOptions,
  ) {
    if (!(opts.alpha > 0.5 && opts.alpha <= 1)) throw new PmixError(`alpha must lie in (0.5, 1] (the step sizes (t + 2)^-alpha must sum to infinity and their squares to a finite number), got ${opts.alpha}`, 'bad-value');
    const bad = nonStepwiseLayers(state);
    if (bad.length > 0) {
      throw new PmixError(
        `online EM needs leaf families whose M-step has sufficient statistics; ${bad.join(', ')} ${bad.length === 1 ? 'needs' : 'need'} every row at once (Newton steps or medians)`,
        'bad-method',
        'fit by em or adam, or use Normal, Bernoulli, Categorical, Poisson, Exponential or Binomial leaves',
      );
    }
    for (const node of state.nodes) {
      if (node.kind !== 'input') continue;
      const layer = state.layers.get(node.id)!;
      const fixed = fixedRoles(state, node.id);
      this.fixed.set(node.id, fixed);
      if (fixed.size === Object.keys(layer.names).length) continue;
      // `prev` is the layer's live parameter arrays: missing cells are completed, and empty units kept, at the current values.
      this.leaves.set(node.id, layer.family.newStats!(layer.ctx, layer.params, { regCovar: opts.regCovar, fixed, smoothing: opts.smoothing ?? 0 })!);
    }
  }

  /**
   * Continues from the state's current parameters (a fitted or loaded model) as if `t0` steps
   * had led to them: the next step starts the statistics from those of the parameters (on a batch
   * of that step's size and spread over the units as that batch's E-step spreads it:
   * LeafStats.addModel), then blends the batch in with eta_t0. Without it the statistics start
   * empty and the first batch alone decides the first M-step.
   */
  continueFrom(t0: number): void {
    const missing = [...this.leaves].filter(([, st]) => !st.addModel).map(([id]) => this.state.layers.get(id)!.family.name);
    if (missing.length) {
      throw new PmixError(`online EM cannot continue from fitted parameters of ${[...new Set(missing)].join(', ')} leaves (their statistics cannot be rebuilt from parameters)`, 'bad-method', 'fit the model again by online EM from the start, or by em');
    }
    this.steps = Math.max(0, Math.floor(t0));
    this.prior = true;
  }

  /**
   * One step on rows x (n x vars, NaN = missing) with sample weights: the E-step at the current
   * parameters, the blend, the M-step. Returns the rows' weighted sum of log p (at the parameters
   * before the step) and their total weight.
   */
  step(x: Float64Array, n: number, weights: Float64Array): { logLikelihood: number; weight: number } {
    const state = this.state;
    const v = state.graph.vars.length;
    let bw = 0;
    for (let i = 0; i < n; i++) bw += weights[i]!;
    this.rows += n;
    if (!(bw > 0)) return { logLikelihood: 0, weight: 0 };
    let vals: NodeValues;
    try {
      vals = forward(state, x, n, this.lastVals?.get(state.graph.root)?.length === n ? this.lastVals : undefined, true); // keep: the backward follows
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) throw new PmixError(`online EM stopped at step ${this.steps + 1}: ${e.message}`, 'degenerate', 'increase reg_covar, lower k, or use a larger batch');
      throw e;
    }
    const root = vals.get(state.graph.root)!;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      const lv = root[i]!;
      if (!Number.isFinite(lv)) throw new PmixError(`row ${this.rows - n + i + 1} has ${lv === Infinity ? 'an infinite' : Number.isNaN(lv) ? 'an undefined (NaN)' : 'zero'} density under the model at online step ${this.steps + 1}`, 'non-finite', 'check the row, or raise reg_covar');
      ll += w * lv;
    }
    const eta = stepSize(this.steps, this.opts.alpha);
    const batchCounts: EdgeCounts = new Map();
    const flows = backward(state, vals, n, weights, batchCounts, this.lastFlows?.get(state.graph.root)?.length === n ? this.lastFlows : undefined);
    if (this.prior) {
      this.prior = false;
      this.fillPrior(batchCounts, flows, n, weights);
    }
    // Edge counts: s <- (1 - eta) s + eta s_b.
    for (const [name, c] of batchCounts) {
      let s = this.counts.get(name);
      if (!s) this.counts.set(name, (s = new Float64Array(c.length)));
      for (let i = 0; i < s.length; i++) s[i] = (1 - eta) * s[i]! + eta * c[i]!;
    }
    // Leaf statistics: decay, then accumulate the batch with responsibilities times eta.
    for (const [id, st] of this.leaves) {
      const node = state.node(id) as { units: number; scope: readonly number[] };
      const U = node.units;
      const f = flows.get(id)!;
      let r = this.resp.get(id);
      if (!r || r.length !== n * U) this.resp.set(id, (r = new Float64Array(n * U)));
      for (let i = 0; i < n; i++) {
        const w = weights[i]! * eta;
        for (let u = 0; u < U; u++) r[i * U + u] = f[i * U + u]! * w;
      }
      st.scale!(1 - eta);
      st.accumulate(gather(x, n, v, node.scope), n, r);
    }
    this.lastVals = vals;
    this.lastFlows = flows;
    this.steps++;
    this.mStep();
    return { logLikelihood: ll, weight: bw };
  }

  /** The statistics of the current parameters, with the masses the batch's E-step gives each unit. */
  private fillPrior(batchCounts: EdgeCounts, flows: NodeValues, n: number, weights: Float64Array): void {
    const state = this.state;
    for (const node of state.nodes) {
      if (node.kind !== 'mixing' && node.kind !== 'sum') continue;
      const c = batchCounts.get(node.weights);
      if (!c) continue;
      const w = state.values.get(node.weights)!;
      const A = node.kind === 'mixing' ? node.arity : w.length / node.units;
      const s = new Float64Array(c.length);
      for (let u = 0; u < node.units; u++) {
        let tot = 0;
        for (let a = 0; a < A; a++) tot += c[u * A + a]!;
        for (let a = 0; a < A; a++) s[u * A + a] = tot * w[u * A + a]!;
      }
      this.counts.set(node.weights, s);
    }
    for (const [id, st] of this.leaves) {
      const U = state.node(id).units;
      const f = flows.get(id)!;
      for (let u = 0; u < U; u++) {
        let mass = 0;
        for (let i = 0; i < n; i++) mass += f[i * U + u]! * weights[i]!;
        st.addModel!(u, mass);
      }
    }
  }

  private mStep(): void {
    const state = this.state;
    const smoothing = this.opts.smoothing ?? 0;
    for (const node of state.nodes) weightsMStep(state, node, this.counts, smoothing);
    for (const [id, st] of this.leaves) {
      const layer = state.layers.get(id)!;
      let next;
      try {
        next = st.finalize();
      } catch (e) {
        throw new PmixError(`online EM stopped at step ${this.steps}: ${(e as Error).message} (${layer.family.name} layer ${id})`, 'degenerate', 'increase reg_covar, lower k, or use a larger batch');
      }
      setLeafParams(state, layer, next, this.fixed.get(id)!);
    }
    checkFinite(state, this.steps);
  }
}
