// Hand-built squared circuits (IR) and independent references for the squared-circuit tests.
import type { IRGraph, IRNode, IRParam } from '../../ir/types.js';
import { ModelState } from '../../runtime/state.js';

const param = (name: string, shape: number[], value: number[], kind: IRParam['param']): IRParam => ({ name, shape, value, param: kind, fixed: false, init: 'given' });

/** square(mixture(weights = w) { Normal(mean_k, sd_k) ... }) over D variables, diag Normals (D = 1: variant full). */
export function squaredMixture(w: number[], means: number[][], sds: number[][]): ModelState {
  const D = means[0]!.length;
  const vars = Array.from({ length: D }, (_, j) => ({ name: `x${j}`, type: { kind: 'real' as const } }));
  const nodes: IRNode[] = [];
  const params: Record<string, IRParam> = {};
  const scope = vars.map((_, j) => j);
  means.forEach((m, k) => {
    const id = `n${k}`;
    params[`${id}.mean`] = param(`${id}.mean`, [1, D], m, { kind: 'identity' });
    if (D === 1) {
      params[`${id}.cov`] = param(`${id}.cov`, [1, 1, 1], [sds[k]![0]! ** 2], { kind: 'spd' });
      nodes.push({ kind: 'input', id, dist: 'Normal', variant: 'full', params: { mean: `${id}.mean`, cov: `${id}.cov` }, scope, units: 1 });
    } else {
      params[`${id}.var`] = param(`${id}.var`, [1, D], sds[k]!.map((s) => s * s), { kind: 'positive' });
      nodes.push({ kind: 'input', id, dist: 'Normal', variant: 'diag', params: { mean: `${id}.mean`, var: `${id}.var` }, scope, units: 1 });
    }
  });
  const K = means.length;
  params['m.weights'] = param('m.weights', [1, K], w, { kind: 'signed' });
  nodes.push({ kind: 'mixing', id: 'm', arity: K, children: means.map((_, k) => `n${k}`), weights: 'm.weights', scope, units: 1 });
  nodes.push({ kind: 'square', id: 'sq', child: 'm', scope, units: 1 });
  const graph: IRGraph = { version: 1, family: 'squared', vars, params, nodes, root: 'sq' };
  return new ModelState(graph);
}

export const logN = (x: number, m: number, v: number): number => -0.5 * (Math.log(2 * Math.PI * v) + ((x - m) ** 2) / v);

/** Z = sum_ij w_i w_j prod_d N(m_id | m_jd, s_id^2 + s_jd^2): the closed form of the integral of c^2. */
export function closedFormZ(w: number[], means: number[][], sds: number[][]): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) {
    for (let j = 0; j < w.length; j++) {
      let t = w[i]! * w[j]!;
      for (let d = 0; d < means[0]!.length; d++) t *= Math.exp(logN(means[i]![d]!, means[j]![d]!, sds[i]![d]! ** 2 + sds[j]![d]! ** 2));
      z += t;
    }
  }
  return z;
}

/** c(x) of the mixture, computed here from the numbers. */
export function mixtureC(w: number[], means: number[][], sds: number[][], x: number[]): number {
  let c = 0;
  for (let k = 0; k < w.length; k++) {
    let t = w[k]!;
    for (let d = 0; d < x.length; d++) t *= Math.exp(logN(x[d]!, means[k]![d]!, sds[k]![d]! ** 2));
    c += t;
  }
  return c;
}

/** Composite Simpson on [a, b] with an even number of intervals. */
export function simpson(f: (x: number) => number, a: number, b: number, m = 2000): number {
  const h = (b - a) / m;
  let s = f(a) + f(b);
  for (let i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}
