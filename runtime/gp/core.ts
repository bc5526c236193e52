// The runtime view of one GP node: its kernel evaluator over the model state's live
// parameter values, its hyperparameters (the free parameters a fit optimizes, with their
// transforms and bounds), the mean function and the noise.
import type { GPNode, IRParam } from '../../ir/types.js';
import { KernelEvaluator } from '../../stdlib/kernels/index.js';
import { kernelParamNames } from '../../stdlib/kernels/index.js';
import type { ModelState } from '../state.js';

/** One hyperparameter: an IR parameter, optimized in log space when positive. */
export interface Hyper {
  readonly name: string;
  readonly size: number;
  readonly log: boolean;
  /** Bounds in natural units (may be infinite for identity parameters). */
  readonly lower: number;
  readonly upper: number;
}

export class GPCore {
  readonly evaluator: KernelEvaluator;
  /** Input columns of the GP's point matrices: the inputs, plus a task column when multitask. */
  readonly stride: number;
  readonly inputs: number;
  readonly tasks: number;
  /** Every parameter of the kernel, noise and mean (free or fixed). */
  readonly hyperNames: readonly string[];
  /** The free ones, in a fixed order: the optimizer's vector. */
  readonly free: readonly Hyper[];

  constructor(
    readonly state: ModelState,
    readonly node: GPNode,
  ) {
    this.inputs = node.inputs.length;
    this.tasks = node.outputs?.length ?? 1;
    this.stride = this.inputs + (node.outputs && node.outputs.length > 1 ? 1 : 0);
    this.evaluator = new KernelEvaluator(node.kernel, this.stride, (n) => this.value(n));
    const names = kernelParamNames(node.kernel);
    names.push(node.noise);
    if (node.mean.kind === 'constant') names.push(node.mean.c);
    if (node.mean.kind === 'linear') names.push(node.mean.w, node.mean.b);
    if (node.likelihood) names.push(...node.likelihood.params);
    this.hyperNames = names;
    this.free = names.map((n) => state.param(n)).filter((p) => !p.fixed).map(hyperOf);
  }

  value(name: string): Float64Array {
    const v = this.state.values.get(name);
    if (!v) throw new Error(`GP parameter '${name}' is missing`);
    return v;
  }

  noiseOf(task: number): number {
    const v = this.value(this.node.noise);
    return v.length === 1 ? v[0]! : v[task]!;
  }

  /** The prior mean m(x) at row i of a point matrix (task column ignored). */
  meanAt(x: Float64Array, i: number): number {
    const m = this.node.mean;
    if (m.kind === 'zero') return 0;
    if (m.kind === 'constant') return this.value(m.c)[0]!;
    const w = this.value(m.w);
    let s = this.value(m.b)[0]!;
    for (let d = 0; d < this.inputs; d++) s += w[d]! * x[i * this.stride + d]!;
    return s;
  }

  /** Number of free scalar hyperparameters. */
  get dim(): number {
    return this.free.reduce((s, h) => s + h.size, 0);
  }

  /** The free hyperparameters as the optimizer's vector (log of positive ones). */
  pack(): Float64Array {
    const out = new Float64Array(this.dim);
    let o = 0;
    for (const h of this.free) {
      const v = this.value(h.name);
      for (let i = 0; i < h.size; i++) out[o++] = h.log ? Math.log(v[i]!) : v[i]!;
    }
    return out;
  }

  /** Writes an optimizer vector back into the state's values. */
  unpack(theta: Float64Array): void {
    let o = 0;
    for (const h of this.free) {
      const v = this.value(h.name);
      for (let i = 0; i < h.size; i++) v[i] = h.log ? Math.exp(theta[o++]!) : theta[o++]!;
    }
  }

  /** Bounds of the optimizer's vector. */
  bounds(): { lower: Float64Array; upper: Float64Array } {
    const lower = new Float64Array(this.dim);
    const upper = new Float64Array(this.dim);
    let o = 0;
    for (const h of this.free) {
      for (let i = 0; i < h.size; i++, o++) {
        lower[o] = h.log ? Math.log(h.lower) : h.lower;
        upper[o] = h.log ? Math.log(h.upper) : h.upper;
      }
    }
    return { lower, upper };
  }

  /** Chain rule from natural-unit gradients (by name) to the optimizer's vector. */
  packGrad(grads: ReadonlyMap<string, Float64Array>): Float64Array {
    const out = new Float64Array(this.dim);
    let o = 0;
    for (const h of this.free) {
      const g = grads.get(h.name);
      const v = this.value(h.name);
      for (let i = 0; i < h.size; i++, o++) out[o] = g ? (h.log ? g[i]! * v[i]! : g[i]!) : 0;
    }
    return out;
  }

  /** Fresh zeroed gradient arrays for the free hyperparameters. */
  gradBuffers(): Map<string, Float64Array> {
    return new Map(this.free.map((h) => [h.name, new Float64Array(h.size)]));
  }

  /** Names (with values) of free hyperparameters within 1e-6 (relative, in log space) of a bound. */
  atBound(): string[] {
    const out: string[] = [];
    for (const h of this.free) {
      const v = this.value(h.name);
      for (let i = 0; i < h.size; i++) {
        const near = (b: number): boolean => Number.isFinite(b) && Math.abs(v[i]! - b) <= 1e-6 * Math.max(Math.abs(b), 1e-300);
        if (near(h.lower) || near(h.upper)) out.push(`${displayName(h.name)}${h.size > 1 ? `[${i}]` : ''} = ${v[i]!.toPrecision(3)} (bounds [${h.lower}, ${h.upper}])`);
      }
    }
    return out;
  }
}

function hyperOf(p: IRParam): Hyper {
  const size = p.value.length;
  if (p.param.kind === 'bounded') {
    const log = p.param.lower > 0;
    return { name: p.name, size, log, lower: p.param.lower, upper: p.param.upper };
  }
  if (p.param.kind === 'positive') return { name: p.name, size, log: true, lower: 1e-300, upper: 1e300 };
  return { name: p.name, size, log: false, lower: -Infinity, upper: Infinity };
}

/** A parameter's name for people: 'n0.k1.ls' -> 'k1.ls'. */
export function displayName(name: string): string {
  const dot = name.indexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name;
}
