// Initial values of GP hyperparameters the model text leaves out (init: 'data'), from the
// training data as each kernel's spec says: lengthscales from the inputs' spread, signal
// variances from the outputs' variance, noise a tenth of it; clamped into their bounds.
// Random restarts draw log-uniformly over each hyperparameter's bounds (scikit-learn's
// n_restarts_optimizer; the default) or within a factor of 30 of these values.
import type { GPNode, IRParam, KernelExpr } from '../../ir/types.js';
import type { RestartsFrom } from '../../compiler/program.js';
import { getKernel, type InitRule } from '../../stdlib/kernels/index.js';
import type { Rng } from '../../stdlib/random.js';
import type { ModelState } from '../state.js';
import type { GPCore } from './core.js';
import type { GPData } from './data.js';

interface Stats {
  readonly sd: Float64Array;
  readonly range: Float64Array;
  readonly spacing: Float64Array;
  readonly yVar: number;
  readonly yMean: number;
}

function stats(d: GPData, inputs: number, y: Float64Array): Stats {
  const sd = new Float64Array(inputs);
  const range = new Float64Array(inputs);
  const spacing = new Float64Array(inputs);
  for (let c = 0; c < inputs; c++) {
    const col = Float64Array.from({ length: d.n }, (_, i) => d.x[i * d.stride + c]!).sort();
    const mean = col.reduce((a, b) => a + b, 0) / Math.max(1, d.n);
    sd[c] = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.n)) || 1;
    range[c] = col[col.length - 1]! - col[0]! || 1;
    const gaps: number[] = [];
    for (let i = 1; i < col.length; i++) if (col[i]! > col[i - 1]!) gaps.push(col[i]! - col[i - 1]!);
    gaps.sort((a, b) => a - b);
    spacing[c] = gaps[Math.floor(gaps.length / 2)] ?? 1;
  }
  const yMean = y.reduce((a, b) => a + b, 0) / Math.max(1, y.length);
  const yVar = y.reduce((a, b) => a + (b - yMean) ** 2, 0) / Math.max(1, y.length) || 1;
  return { sd, range, spacing, yVar, yMean };
}

function ruleValues(rule: InitRule, size: number, st: Stats, inputs: number): number[] {
  const perDim = (f: (c: number) => number): number[] => Array.from({ length: size }, (_, i) => f(i % inputs));
  switch (rule.kind) {
    case 'const':
      return new Array<number>(size).fill(rule.value);
    case 'input-sd':
      return size === 1 ? [rule.factor * mean(st.sd)] : perDim((c) => rule.factor * st.sd[c]!);
    case 'output-var':
      return new Array<number>(size).fill(rule.factor * st.yVar);
    case 'frequency': {
      // Components spread over (0, Nyquist): the k-th of q at k / (q + 1) of 1 / (2 spacing).
      const q = Math.max(1, Math.round(size / inputs));
      return Array.from({ length: size }, (_, i) => ((Math.floor(i / inputs) + 1) / (q + 1)) * (0.5 / st.spacing[i % inputs]!));
    }
    case 'inverse-range':
      return perDim((c) => 1 / st.range[c]! ** 2);
  }
}

const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);

/** Fills every 'data'-initialized hyperparameter of the GP (y on the GP's scale). */
export function initializeFromData(state: ModelState, node: GPNode, d: GPData, y: Float64Array): void {
  const st = stats(d, node.inputs.length, y);
  const set = (name: string, values: number[]): void => {
    const p = state.param(name);
    if (p.init !== 'data') return;
    const v = state.values.get(name)!;
    for (let i = 0; i < v.length; i++) v[i] = clamp(p, values[i % values.length]!);
  };
  const terms = countTerms(node.kernel);
  const walk = (e: KernelExpr): void => {
    if (e.op === 'base') {
      const k = getKernel(e.name);
      for (const spec of k?.params ?? []) {
        const name = e.params[spec.name];
        if (name) set(name, ruleValues(spec.init, state.values.get(name)!.length, st, e.dims?.length ?? node.inputs.length));
      }
    } else if (e.op === 'scale') {
      set(e.factor, [st.yVar / terms]);
      walk(e.kernel);
    } else e.terms.forEach(walk);
  };
  walk(node.kernel);
  set(node.noise, [0.1 * st.yVar]);
  if (node.mean.kind === 'constant') set(node.mean.c, [st.yMean]);
  if (node.mean.kind === 'linear') {
    set(node.mean.w, [0]);
    set(node.mean.b, [st.yMean]);
  }
}

/** Terms of a top-level sum (signal variance is shared among them). */
function countTerms(e: KernelExpr): number {
  return e.op === 'sum' ? e.terms.length : 1;
}

function clamp(p: IRParam, v: number): number {
  if (p.param.kind === 'bounded') return Math.min(p.param.upper, Math.max(p.param.lower, v));
  if (p.param.kind === 'positive') return Math.max(v, 1e-300);
  return v;
}

/**
 * A random restart (the optimizer's vector): each free log-space hyperparameter drawn
 * log-uniformly over its whole bounds ('bounds', as scikit-learn) or within a factor of 30 of
 * `start`, clipped to the bounds ('start'); unbounded ones (means) a normal step around `start`.
 */
export function randomStart(core: GPCore, start: Float64Array, rng: Rng, from: RestartsFrom = 'start'): Float64Array {
  const { lower, upper } = core.bounds();
  const out = Float64Array.from(start);
  let o = 0;
  for (const h of core.free) {
    for (let i = 0; i < h.size; i++, o++) {
      if (h.log) {
        const near = from === 'start' || !Number.isFinite(lower[o]!) || !Number.isFinite(upper[o]!);
        const lo = near ? Math.max(lower[o]!, start[o]! - Math.log(30)) : lower[o]!;
        const hi = near ? Math.min(upper[o]!, start[o]! + Math.log(30)) : upper[o]!;
        out[o] = lo + (hi - lo) * rng.uniform();
      } else {
        out[o] = Math.min(upper[o]!, Math.max(lower[o]!, start[o]! + rng.normal() * Math.max(1, Math.abs(start[o]!))));
      }
    }
  }
  return out;
}
