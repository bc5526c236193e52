// Whether stored parameter values lie in their parameterization's domain: finite, > 0 for
// positive, rows of a simplex summing to 1, covariance blocks positive definite. Lowering
// checks the values written in model text (sd = 1e-300 squares to a variance of 0), artifact
// loading checks every parameter, so a model that passes never fails inside a kernel.
import { cholesky } from '../stdlib/distributions/index.js';
import type { Parameterization } from '../ir/types.js';

const BOUND_SLACK = 1e-14;

/** A sentence saying what is wrong with `values`, or undefined when they are valid. */
export function paramValueProblem(param: Parameterization, shape: readonly number[], values: ArrayLike<number>): string | undefined {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return `entry ${i} is ${values[i]}, not a finite number`;
  }
  switch (param.kind) {
    case 'positive':
      for (let i = 0; i < values.length; i++) if (!(values[i]! > 0)) return `entry ${i} is ${values[i]} but must be > 0`;
      return undefined;
    case 'unit':
      for (let i = 0; i < values.length; i++) if (!(values[i]! >= 0 && values[i]! <= 1)) return `entry ${i} is ${values[i]} but must lie in [0, 1]`;
      return undefined;
    case 'bounded':
      // A few ulps of slack: a value optimized in log space and saved at its bound comes back
      // a rounding error outside it (exp(log(1e-10)) < 1e-10), and must load again.
      const lo = param.lower - Math.abs(param.lower) * BOUND_SLACK, hi = param.upper + Math.abs(param.upper) * BOUND_SLACK;
      for (let i = 0; i < values.length; i++) {
        if (!(values[i]! >= lo && values[i]! <= hi)) return `entry ${i} is ${values[i]} but must lie in [${param.lower}, ${param.upper}]`;
      }
      return undefined;
    case 'simplex': {
      const w = shape[shape.length - 1] ?? values.length;
      if (w === 0) return undefined;
      for (let r = 0; r < values.length; r += w) {
        let s = 0;
        for (let i = r; i < r + w; i++) {
          if (!(values[i]! >= 0)) return `entry ${i} is ${values[i]} but probabilities must be >= 0`;
          s += values[i]!;
        }
        if (Math.abs(s - 1) > 1e-6) return `entries ${r} to ${r + w - 1} sum to ${s} but probabilities must sum to 1`;
      }
      return undefined;
    }
    case 'spd':
      return spdProblem(shape, values);
    default:
      return undefined;
  }
}

/** Every trailing D x D block (D = the last axis) symmetric and positive definite. */
function spdProblem(shape: readonly number[], values: ArrayLike<number>): string | undefined {
  const D = shape.length >= 2 ? shape[shape.length - 1]! : 1;
  if (D === 0) return undefined;
  for (let off = 0, b = 0; off < values.length; off += D * D, b++) {
    const m = Float64Array.from({ length: D * D }, (_, e) => values[off + e]!);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < i; j++) {
        const a = m[i * D + j]!;
        const c = m[j * D + i]!;
        if (Math.abs(a - c) > 1e-9 * Math.max(Math.abs(a), Math.abs(c), 1e-300)) return `matrix ${b} is not symmetric (entries [${i}, ${j}] and [${j}, ${i}] differ)`;
      }
    }
    if (!cholesky(m, D)) return `matrix ${b} is not positive definite (a variance too small or too large, or a singular covariance)`;
    // A factor that overflowed or underflowed to 0 is as unusable as a failed one.
    for (let d = 0; d < D; d++) if (!(m[d * D + d]! > 0) || !Number.isFinite(m[d * D + d]!)) return `matrix ${b} is numerically singular`;
  }
  return undefined;
}
