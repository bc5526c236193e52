// The rows a mixture of experts sees: inputs X (n x D), outputs Y (n x P, NaN where missing)
// and row weights, gathered from the session's rows over all variables.
import type { MoeSpec } from './spec.js';

export interface MoeData {
  readonly n: number;
  readonly X: Float64Array;
  readonly Y: Float64Array;
  readonly w: Float64Array;
}

export interface Gathered {
  readonly data: MoeData;
  /** Rows left out and why (a missing input; every output missing; a missing output under full noise). */
  readonly dropped: { readonly input: number; readonly outputs: number; readonly partial: number };
}

/** rows: n x V (V = the graph's variables); `weights` per row (undefined: all 1). */
export function gather(spec: MoeSpec, x: Float64Array, rows: number, V: number, weights?: Float64Array, completeOutputs = false): Gathered {
  const { D, P } = spec;
  const keep: number[] = [];
  let input = 0;
  let outputs = 0;
  let partial = 0;
  for (let r = 0; r < rows; r++) {
    if (spec.inputs.some((v) => !Number.isFinite(x[r * V + v]!))) {
      input++;
      continue;
    }
    const seen = spec.outputs.filter((v) => !Number.isNaN(x[r * V + v]!)).length;
    if (seen === 0) outputs++;
    else if (completeOutputs && seen < P) partial++;
    else keep.push(r);
  }
  const n = keep.length;
  const X = new Float64Array(n * D);
  const Y = new Float64Array(n * P);
  const w = new Float64Array(n);
  keep.forEach((r, i) => {
    spec.inputs.forEach((v, j) => (X[i * D + j] = x[r * V + v]!));
    spec.outputs.forEach((v, j) => (Y[i * P + j] = x[r * V + v]!));
    w[i] = weights ? weights[r]! : 1;
  });
  return { data: { n, X, Y, w }, dropped: { input, outputs, partial } };
}

/** Weighted variance of each output over its observed rows (the noise floor's scale). */
export function outputVariances(d: MoeData, P: number): Float64Array {
  const out = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    let sw = 0;
    let s = 0;
    let ss = 0;
    for (let i = 0; i < d.n; i++) {
      const y = d.Y[i * P + p]!;
      if (Number.isNaN(y)) continue;
      sw += d.w[i]!;
      s += d.w[i]! * y;
      ss += d.w[i]! * y * y;
    }
    const m = sw > 0 ? s / sw : 0;
    const v = sw > 0 ? ss / sw - m * m : 1;
    out[p] = v > 0 ? v : 1;
  }
  return out;
}
