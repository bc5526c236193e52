// Interval probabilities and summaries (means, sds, level probabilities) of squared circuits,
// through the product circuits (c * c; the c_r * c_r of sos; c+ * c * c). Every one is a ratio
// of two evaluations of f = sum of the terms' product circuits, evidence variables observed
// and the rest integrated out:
//   P(box, e) = F_box(e) / F(e), where F_box replaces each boxed variable's leaf product by its
//     mass on the interval (closed form: a product of Normals is a scaled Normal, so its mass
//     is a difference of two Normal CDFs; discrete leaves sum their levels);
//   E[(x - c)^k | e] = F_k(e) / F(e), where F_k integrates the target's leaf product against
//     (x - c)^k (the scaled Normal's moments, closed form; signed, so evaluated with signs);
//   P(x = l | e) = F(x = l, e) / F(e) for a discrete x (enumeration of its levels).
// The mean is the first moment about 0, the sd the square root of the second about the mean.
import type { BoundInterval } from '../../ir/query.js';
import type { ModelState } from '../state.js';
import type { VariableSummary } from '../queries/answer.js';
import { logPartition, unnormalizedLog, unnormalizedSigned } from './squared-model.js';

/** A box side: the one interval representation, ir/query.ts's BoundInterval. */
export type SquaredBound = Pick<BoundInterval, 'v' | 'lower' | 'upper'>;

/** Evidence must be NaN at the boxed variables (and is NaN at every variable integrated out). */
function withFree(evidence: Float64Array, vs: readonly number[]): Float64Array {
  const x = Float64Array.from(evidence);
  for (const v of vs) x[v] = NaN;
  return x;
}

/** log f(e) (unnormalized; with no evidence log Z). */
export function squaredLogEvidence(state: ModelState, evidence: Float64Array): number {
  return evidence.every((e) => Number.isNaN(e)) ? logPartition(state) : unnormalizedLog(state, evidence, 1)[0]!;
}

/**
 * log of the unnormalized mass of the box with the evidence: f integrated over the box in the
 * boxed variables, at the evidence values, and over the whole line in the others. Divide by
 * f(e) of the conditioning evidence (or Z) for a probability.
 */
export function squaredBoxLog(state: ModelState, bounds: readonly SquaredBound[], evidence: Float64Array): number {
  if (bounds.some((b) => !(b.lower <= b.upper))) return -Infinity;
  const x = withFree(evidence, bounds.map((b) => b.v));
  const cdf = bounds.map((b) => ({ v: b.v, lower: Float64Array.of(b.lower), upper: Float64Array.of(b.upper) }));
  const r = unnormalizedSigned(state, x, 1, cdf);
  // f >= 0 everywhere, so its integral over a box is >= 0; a numerically negative one is 0
  return r.s[0]! > 0 ? r.l[0]! : -Infinity;
}

/** log P(box | given) with `joint` the given values plus any other assigned values. */
export function squaredIntervalLogProb(state: ModelState, bounds: readonly SquaredBound[], joint: Float64Array, given: Float64Array): number {
  return squaredBoxLog(state, bounds, joint) - squaredLogEvidence(state, given);
}

/** E[(x_v - center)^k | e] (v free in the evidence). */
export function squaredMoment(state: ModelState, v: number, k: number, center: number, evidence: Float64Array, logF = squaredLogEvidence(state, evidence)): number {
  const x = withFree(evidence, [v]);
  const r = unnormalizedSigned(state, x, 1, { v, moment: { k, center } });
  return r.s[0]! === 0 ? 0 : r.s[0]! * Math.exp(r.l[0]! - logF);
}

/**
 * Summaries of the target variables given the evidence (NaN = free): mean and sd of real and
 * int variables, level probabilities of bool and categorical ones; and log p(e).
 */
export function squaredSummaries(state: ModelState, targets: readonly number[], evidence: Float64Array): { summary: VariableSummary[]; logEvidence: number } {
  const logF = squaredLogEvidence(state, evidence);
  const logEvidence = logF - logPartition(state);
  if (!Number.isFinite(logF)) return { summary: [], logEvidence: -Infinity };
  const V = state.graph.vars.length;
  const summary = targets.map((v): VariableSummary => {
    const info = state.graph.vars[v]!;
    const t = info.type;
    if (t.kind === 'categorical' || t.kind === 'bool') {
      const levels = t.kind === 'categorical' ? t.levels : ['false', 'true'];
      const x = new Float64Array(levels.length * V);
      for (let l = 0; l < levels.length; l++) {
        x.set(evidence, l * V);
        x[l * V + v] = l;
      }
      const lp = unnormalizedLog(state, x, levels.length);
      return { name: info.name, probs: Object.fromEntries(levels.map((name, l) => [name, Math.exp(lp[l]! - logF)])) };
    }
    const mean = squaredMoment(state, v, 1, 0, evidence, logF);
    const variance = squaredMoment(state, v, 2, mean, evidence, logF);
    return { name: info.name, mean, sd: Math.sqrt(Math.max(0, variance)) };
  });
  return { summary, logEvidence };
}
