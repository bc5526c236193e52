// Training points of a GP from the rows of a data set: the input columns (plus a task
// column for multitask GPs: one point per row and observed output) and the outputs. Rows
// with a missing input are dropped (counted); a missing output drops only that task's point.
import type { GPNode } from '../../ir/types.js';

export interface GPData {
  /** Points, row-major n x stride (inputs, then the task index when multitask). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly stride: number;
  /** Task of each point (all 0 for one output). */
  readonly task: Int32Array;
  /** Rows left out for a missing input. */
  readonly dropped: number;
  /**
   * Per-point multipliers of the noise variance (absent: 1): a weighted GP, noise_i = noise * s_i,
   * as a mixture of GP experts' M-step uses with s_i = 1 / responsibility (families/moe).
   */
  readonly noiseScale?: Float64Array;
}

/** `rows` is the model's variable matrix (rows x vars, the graph's variable order). */
export function gpData(node: GPNode, rows: Float64Array, nRows: number, nVars: number): GPData {
  const outputs = node.outputs ?? [node.output];
  const multi = outputs.length > 1;
  const D = node.inputs.length;
  const stride = D + (multi ? 1 : 0);
  const xs: number[] = [];
  const ys: number[] = [];
  const ts: number[] = [];
  let dropped = 0;
  for (let r = 0; r < nRows; r++) {
    const base = r * nVars;
    if (node.inputs.some((v) => Number.isNaN(rows[base + v]!))) {
      dropped++;
      continue;
    }
    outputs.forEach((o, t) => {
      const y = rows[base + o]!;
      if (Number.isNaN(y)) return;
      for (const v of node.inputs) xs.push(rows[base + v]!);
      if (multi) xs.push(t);
      ys.push(y);
      ts.push(t);
    });
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), n: ys.length, stride, task: Int32Array.from(ts), dropped };
}

/** Per-task mean and standard deviation of the outputs (sd 1 when a task has < 2 points or no spread). */
export function outputMoments(d: GPData, tasks: number): { mean: Float64Array; sd: Float64Array } {
  const mean = new Float64Array(tasks);
  const sd = new Float64Array(tasks).fill(1);
  const cnt = new Float64Array(tasks);
  for (let i = 0; i < d.n; i++) {
    mean[d.task[i]!] += d.y[i]!;
    cnt[d.task[i]!]++;
  }
  for (let t = 0; t < tasks; t++) mean[t] = cnt[t]! > 0 ? mean[t]! / cnt[t]! : 0;
  const ss = new Float64Array(tasks);
  for (let i = 0; i < d.n; i++) ss[d.task[i]!] += (d.y[i]! - mean[d.task[i]!]!) ** 2;
  for (let t = 0; t < tasks; t++) if (cnt[t]! > 1 && ss[t]! > 0) sd[t] = Math.sqrt(ss[t]! / cnt[t]!);
  return { mean, sd };
}
