// Categorical(probs) over level indices 0..L-1 (bool columns: false = 0, true = 1).
import type { ArgError, UnivariateDist } from './types.js';

export const categorical: UnivariateDist = {
  name: 'Categorical',
  expects: 'a categorical or bool column',
  accepts: (t) => t.kind === 'categorical' || t.kind === 'bool',
  discrete: true,
  sufficient: 'counts',
  defaultFor: ['categorical'],
  tabulated: true,
  levelProduct: true,
  // A bool column has no level names: false, true.
  finiteLevels: (levels) => levels || 2,
  positiveValues(theta, levels) {
    const out: number[] = [];
    for (let l = 0; l < levels; l++) if (theta[l]! > 0) out.push(l);
    return out;
  },
  params: [{ role: 'probs', param: { kind: 'simplex' }, size: 'levels' }],
  argNames: ['probs'],
  logDensity(x, theta, levels) {
    if (!(x >= 0 && x < levels && Number.isInteger(x))) return -Infinity;
    return Math.log(theta[x]!);
  },
  sample: (theta, rng, levels) => rng.categorical(theta, 0, levels),
  // Moments of the level index: for bool columns the mean is P(true).
  mean(theta, levels) {
    let s = 0;
    for (let k = 0; k < levels; k++) s += k * theta[k]!;
    return s;
  },
  variance(theta, levels) {
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < levels; k++) {
      s += k * theta[k]!;
      s2 += k * k * theta[k]!;
    }
    return s2 - s * s;
  },
  mode(theta, levels) {
    let best = 0;
    for (let k = 1; k < levels; k++) if (theta[k]! > theta[best]!) best = k;
    return best;
  },
  fit(xs, ws, prev, levels, floor, fixed, smoothing = 0) {
    if (fixed?.has('probs') && prev) return Array.from({ length: levels }, (_, k) => prev[k]!);
    const counts = new Array<number>(levels).fill(0);
    let sw = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x >= 0 && x < levels && Number.isInteger(x)) {
        counts[x] = counts[x]! + ws[i]!;
        sw += ws[i]!;
      }
    }
    if (smoothing > 0) {
      for (let k = 0; k < levels; k++) counts[k] = counts[k]! + smoothing;
      sw += levels * smoothing;
    }
    if (!(sw > 0)) return prev ? Array.from({ length: levels }, (_, k) => prev[k]!) : counts.map(() => 1 / levels);
    // Floored so no level gets probability 0 (its softmax logit would be -Infinity).
    const eps = Math.max(floor, 1e-12);
    const p = counts.map((c) => Math.max(c / sw, eps));
    const total = p.reduce((s, v) => s + v, 0);
    return p.map((v) => v / total);
  },
  gradLogDensity(x, theta, levels, out) {
    for (let k = 0; k < levels; k++) out[k] = k === x ? 1 / theta[k]! : 0;
  },
  fromArgs(args, levels) {
    const values: Record<string, number[]> = {};
    const errors: ArgError[] = [];
    const v = args['probs'];
    if (v === undefined) return { values, errors };
    if (!Array.isArray(v) || v.some((e) => typeof e !== 'number')) {
      errors.push({ arg: 'probs', message: 'probs must be a vector of numbers' });
      return { values, errors };
    }
    const probs = v as number[];
    if (probs.length !== levels) {
      errors.push({ arg: 'probs', message: `probs must have ${levels} entries (one per level), got ${probs.length}` });
    } else if (probs.some((p) => !(p >= 0) || !Number.isFinite(p))) {
      errors.push({ arg: 'probs', message: 'probs must be non-negative' });
    } else {
      const total = probs.reduce((s, p) => s + p, 0);
      if (Math.abs(total - 1) > 1e-6) errors.push({ arg: 'probs', message: `probs must sum to 1 (they sum to ${total})` });
      else values['probs'] = probs.map((p) => p / total);
    }
    return { values, errors };
  },
};
