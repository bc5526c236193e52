// The incremental Gaussian mixture's pass (IGMM / FIGMM, Engel & Heinen; Pinto & Engel): rows
// arrive one at a time; each is scored under every component (responsibilities from the
// Mahalanobis distances), then either creates a component (novelty: its squared Mahalanobis
// distance to every component exceeds the chi-square(D) quantile at `novelty`, and fewer than
// maxK exist) or updates every component by its rank-one step (component.ts). Components that
// stay small are pruned (weighted count below vMin once aMin rows old); every aMin rows and at
// the end, pairs that one Gaussian explains better are merged (mergeGain below).
import { cholesky } from '../../../stdlib/distributions/index.js';
import { PmixError } from '../../errors.js';
import { Component } from './component.js';
import { chiSquareQuantile } from './chi-square.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface IncrementalOptions {
  readonly D: number;
  readonly full: boolean;
  readonly novelty: number;
  readonly maxK: number;
  /** A new component's variances (per column). */
  readonly initVar: ArrayLike<number>;
  readonly vMin: number;
  readonly aMin: number;
  readonly merge: boolean;
  /** Refactorize when max|P C - I| exceeds this; checked every checkEvery updates of a component. */
  readonly drift: number;
  readonly checkEvery: number;
}

/** What the pass did, for the fit summary (details.incremental). */
export interface IncrementalReport {
  rows: number;
  created: number;
  pruned: number;
  merged: number;
  driftChecks: number;
  refactorizations: number;
  /** The largest max|P C - I| any check measured (before refactorizing). */
  maxDrift: number;
}

export class IncrementalMixture {
  readonly components: Component[] = [];
  readonly threshold: number;
  readonly report: IncrementalReport = { rows: 0, created: 0, pruned: 0, merged: 0, driftChecks: 0, refactorizations: 0, maxDrift: 0 };
  /** Sum of the rows' log p(x_t | the mixture before x_t) (the prequential log-likelihood) and their weight. */
  prequential = 0;
  weight = 0;
  private readonly d2: number[] = [];
  private readonly logp: number[] = [];

  constructor(readonly opts: IncrementalOptions) {
    this.threshold = chiSquareQuantile(opts.novelty, opts.D);
  }

  /** One row (complete, finite) of weight w > 0. */
  observe(x: ArrayLike<number>, w: number): void {
    const { components: cs, opts } = this;
    this.report.rows++;
    const K = cs.length;
    let total = 0;
    for (const c of cs) total += c.count;
    let nearest = Infinity;
    let best = -Infinity;
    for (let j = 0; j < K; j++) {
      const c = cs[j]!;
      const d2 = c.distance(x);
      this.d2[j] = d2;
      if (d2 < nearest) nearest = d2;
      const lp = Math.log(c.count / total) - 0.5 * (opts.D * LOG_2PI + c.logDet + d2);
      this.logp[j] = lp;
      if (lp > best) best = lp;
    }
    if (K > 0) {
      let s = 0;
      for (let j = 0; j < K; j++) s += Math.exp(this.logp[j]! - best);
      const lse = best + Math.log(s);
      if (Number.isFinite(lse)) {
        this.prequential += w * lse;
        this.weight += w;
      }
      if (!(nearest > this.threshold) || K >= opts.maxK) {
        for (let j = 0; j < K; j++) {
          const c = cs[j]!;
          c.age++;
          if (c.update(w, Math.exp(this.logp[j]! - lse), this.d2[j]!)) this.report.refactorizations++;
          else if (c.sinceCheck >= opts.checkEvery) this.check(c);
        }
        this.afterRow();
        return;
      }
    }
    for (const c of cs) c.age++;
    cs.push(new Component(x, opts.initVar, w, opts.full));
    this.report.created++;
    this.afterRow();
  }

  /** The drift check: refactorize when max|P C - I| is over the threshold (or not finite). */
  check(c: Component): void {
    const drift = c.drift();
    this.report.driftChecks++;
    if (!(drift <= this.report.maxDrift)) this.report.maxDrift = drift;
    if (drift <= this.opts.drift) {
      c.sinceCheck = 0;
      return;
    }
    if (!c.refactor()) throw new PmixError(`the incremental mixture stopped at row ${this.report.rows}: a component's covariance is no longer positive definite (max|P C - I| = ${drift})`, 'degenerate', 'raise scale or reg_covar, or rescale the columns');
    this.report.refactorizations++;
  }

  private afterRow(): void {
    const { opts } = this;
    if (this.report.rows % opts.aMin !== 0) return;
    this.prune(false);
    if (opts.merge) this.mergeAll();
  }

  /** Removes components below vMin (at the end: whatever their age); keeps the largest if all would go. */
  prune(final: boolean): void {
    const { opts } = this;
    const small = (c: Component): boolean => c.count < opts.vMin && (final || c.age >= opts.aMin);
    const keep = this.components.filter((c) => !small(c));
    if (keep.length === 0 && this.components.length > 0) keep.push(this.components.reduce((a, b) => (b.count > a.count ? b : a)));
    this.report.pruned += this.components.length - keep.length;
    this.components.splice(0, this.components.length, ...keep);
  }

  /** Merges the pair with the largest positive gain until none is left (only components aMin rows old). */
  mergeAll(): void {
    const cs = this.components;
    for (;;) {
      let best: { i: number; j: number; gain: number } | undefined;
      for (let i = 0; i < cs.length; i++) {
        if (cs[i]!.age < this.opts.aMin) continue;
        for (let j = i + 1; j < cs.length; j++) {
          if (cs[j]!.age < this.opts.aMin) continue;
          const gain = mergeGain(cs[i]!, cs[j]!);
          if (gain > 0 && (!best || gain > best.gain)) best = { i, j, gain };
        }
      }
      if (!best) return;
      const merged = mergedComponent(cs[best.i]!, cs[best.j]!);
      if (!merged) return;
      cs.splice(best.j, 1);
      cs[best.i] = merged;
      this.report.merged++;
    }
  }

  /** The end of the pass: a last prune and merge, then every precision refactorized (exact for the artifact). */
  finish(): void {
    this.prune(true);
    if (this.opts.merge) {
      for (const c of this.components) c.age = Math.max(c.age, this.opts.aMin);
      this.mergeAll();
    }
  }

  /** Mean of log p(x_t | the mixture before x_t) over the rows scored so far. */
  prequentialMean(): number {
    return this.weight > 0 ? this.prequential / this.weight : -Infinity;
  }
}

/**
 * The gain per row of fitting two components' rows by one Gaussian (moment-matched) instead of
 * two, with each row counted in the component it most belongs to:
 *   gain = sum_i f_i (log det C_i) / 2 - (log det C) / 2 - sum_i f_i log f_i,   f_i = n_i / (n_1 + n_2),
 * (the Gaussian log-likelihood at its moments is -n/2 (log det C + D log 2 pi + D); the last
 * term is the two-component fit's cost of naming each row's component). Two halves of one
 * Gaussian gain about 0.18 per row and merge; two equal Gaussians whose means lie more than
 * 2 sqrt(3) (about 3.5) standard deviations apart lose and stay. Scale-free, and independent
 * of the counts themselves (a count-penalized criterion such as BIC favours merging young, small components).
 */
export function mergeGain(a: Component, b: Component): number {
  const D = a.D;
  const fa = a.count / (a.count + b.count);
  const fb = 1 - fa;
  const m = pooledCovariance(a, b, fa, fb, scratch(D, a.full));
  let logDet = 0;
  if (a.full) {
    if (!cholesky(m, D)) return -Infinity;
    for (let d = 0; d < D; d++) logDet += 2 * Math.log(m[d * (D + 1)]!);
  } else for (let d = 0; d < D; d++) logDet += Math.log(m[d]!);
  if (!Number.isFinite(logDet)) return -Infinity;
  const entropy = (fa > 0 ? -fa * Math.log(fa) : 0) + (fb > 0 ? -fb * Math.log(fb) : 0);
  return 0.5 * (fa * a.logDet + fb * b.logDet - logDet) + entropy;
}

/** The component with the pooled moments of a and b (undefined when they are not positive definite). */
export function mergedComponent(a: Component, b: Component): Component | undefined {
  const D = a.D;
  const n = a.count + b.count;
  const fa = a.count / n;
  const merged = new Component(a.mean, new Float64Array(D).fill(1), n, a.full);
  merged.age = Math.max(a.age, b.age);
  for (let d = 0; d < D; d++) merged.mean[d] = fa * a.mean[d]! + (1 - fa) * b.mean[d]!;
  merged.cov.set(pooledCovariance(a, b, fa, 1 - fa, scratch(D, a.full)));
  return merged.refactor() ? merged : undefined;
}

let buf = new Float64Array(0);
const scratch = (D: number, full: boolean): Float64Array => {
  const len = full ? D * D : D;
  if (buf.length < len) buf = new Float64Array(len);
  return buf.subarray(0, len);
};

/** f_a (C_a + (mu_a - mu)(mu_a - mu)^T) + f_b (C_b + ...), mu = f_a mu_a + f_b mu_b, into out. */
function pooledCovariance(a: Component, b: Component, fa: number, fb: number, out: Float64Array): Float64Array {
  const D = a.D;
  out.fill(0);
  for (const [c, f, o] of [[a, fa, b], [b, fb, a]] as const) {
    for (let p = 0; p < D; p++) {
      // mu_c - mu = (1 - f_c)(mu_c - mu_other)
      const dp = (1 - f) * (c.mean[p]! - o.mean[p]!);
      if (!a.full) {
        out[p] += f * (c.cov[p]! + dp * dp);
        continue;
      }
      for (let q = 0; q < D; q++) out[p * D + q] += f * (c.cov[p * D + q]! + dp * (1 - f) * (c.mean[q]! - o.mean[q]!));
    }
  }
  return out;
}
