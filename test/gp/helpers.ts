// Builds GP model states directly from IR pieces (no language), and independent naive
// float64 references: per-pair kernel formulas and Gaussian elimination.
import type { GPNode, IRGraph, IRParam, KernelExpr } from '../../ir/types.js';
import { GPCore } from '../../runtime/gp/core.js';
import { ModelState } from '../../runtime/state.js';

export interface ParamInit {
  readonly value: number[];
  readonly shape?: number[];
  readonly fixed?: boolean;
  readonly bounds?: [number, number];
  readonly identity?: boolean;
}

export function gpState(kernel: KernelExpr, params: Record<string, ParamInit>, opts: { inputs?: number; noise?: number; mean?: GPNode['mean']; fixedNoise?: boolean; outputs?: number; inducing?: number[]; learnInducing?: boolean; inducingFromData?: boolean } = {}): { state: ModelState; core: GPCore } {
  const D = opts.inputs ?? 1;
  const T = opts.outputs ?? 1;
  const all: Record<string, IRParam> = {};
  const add = (name: string, p: ParamInit): void => {
    all[name] = {
      name,
      shape: p.shape ?? (p.value.length === 1 ? [] : [p.value.length]),
      param: p.identity ? { kind: 'identity' } : { kind: 'bounded', lower: p.bounds?.[0] ?? 1e-8, upper: p.bounds?.[1] ?? 1e8 },
      value: p.value,
      fixed: !!p.fixed,
      init: 'given',
    };
  };
  for (const [k, v] of Object.entries(params)) add(k, v);
  if (opts.mean?.kind === 'constant' && !(opts.mean.c in all)) add(opts.mean.c, { value: [0.2], identity: true });
  add('noise', { value: T > 1 ? new Array(T).fill(opts.noise ?? 0.1) : [opts.noise ?? 0.1], fixed: opts.fixedNoise, bounds: [1e-12, 1e8] });
  const vars = [...Array.from({ length: D }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' as const } })), ...Array.from({ length: T }, (_, t) => ({ name: `y${t}`, type: { kind: 'real' as const } }))];
  const node: GPNode = {
    kind: 'gp',
    id: 'n0',
    scope: vars.map((_, i) => i),
    units: 1,
    inputs: Array.from({ length: D }, (_, i) => i),
    output: D,
    ...(T > 1 ? { outputs: Array.from({ length: T }, (_, t) => D + t) } : {}),
    kernel,
    mean: opts.mean ?? { kind: 'zero' },
    noise: 'noise',
    inference: opts.inducing ? { kind: 'sparse', inducing: 'z', qMean: 'qm', qSqrt: 'qs', m: opts.inducing.length / D, ...(opts.learnInducing !== undefined ? { learnInducing: opts.learnInducing } : {}) } : { kind: 'exact' },
  };
  if (opts.inducing) {
    const M = opts.inducing.length / D;
    const fixed = (name: string, shape: number[], value: number[]): void => {
      all[name] = { name, shape, param: { kind: 'identity' }, value, fixed: true, init: 'given' };
    };
    fixed('z', [M, D], opts.inducing);
    if (opts.inducingFromData) all.z = { ...all.z!, init: 'data' };
    fixed('qm', [M], new Array(M).fill(0));
    fixed('qs', [M, M], Array.from({ length: M * M }, (_, k) => (k % (M + 1) === 0 ? 1 : 0)));
  }
  const graph: IRGraph = { version: 1, family: 'gp', vars, params: all, nodes: [node], root: 'n0' };
  const state = new ModelState(graph);
  return { state, core: new GPCore(state, node) };
}

export const base = (name: string, params: Record<string, string>, options?: Record<string, number>, dims?: number[]): KernelExpr => ({
  op: 'base',
  name,
  params,
  ...(options ? { options } : {}),
  ...(dims ? { dims } : {}),
});

/** Solves A x = b and log|det A| by Gaussian elimination with partial pivoting (copies A). */
export function gaussSolve(a: ArrayLike<number>, n: number, b: ArrayLike<number>): { x: number[]; logdet: number } {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (j < n ? a[i * n + j]! : b[i]!)));
  let logdet = 0;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const p = m[c]![c]!;
    logdet += Math.log(Math.abs(p));
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / p;
      for (let j = c; j <= n; j++) m[r]![j] -= f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= m[r]![j]! * x[j]!;
    x[r] = s / m[r]![r]!;
  }
  return { x, logdet };
}

/** Naive LML from a kernel function of two input rows. */
export function naiveLml(k: (a: number[], b: number[], same: boolean) => number, xs: number[][], y: number[], noise: number, mean = 0): number {
  const n = xs.length;
  const K = new Array<number>(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = k(xs[i]!, xs[j]!, i === j) + (i === j ? noise : 0);
  const r = y.map((v) => v - mean);
  const { x, logdet } = gaussSolve(K, n, r);
  const quad = r.reduce((s, v, i) => s + v * x[i]!, 0);
  return -0.5 * quad - 0.5 * logdet - 0.5 * n * Math.log(2 * Math.PI);
}

/** A deterministic pseudo-random stream (LCG) for test data. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
