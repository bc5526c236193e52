// What `pmix check` says about an integral circuit: its latents and quadrature, the size of
// its nets, and the circuit the quadrature materializes (as for any circuit).
import type { IRGraph } from '../../ir/types.js';
import { describeCircuit, type CircuitReport } from '../describe.js';

export interface IntegralReport {
  readonly latents: number;
  /** e.g. 'gauss-legendre' with points (and points at evaluation). */
  readonly quadrature: readonly { readonly rule: string; readonly points: number; readonly evalPoints: number; readonly latents: number }[];
  /** Free scalar parameters of the functions (nets and constants). */
  readonly functionParameters: number;
  /** The circuit quadrature gives at the training points. */
  readonly materialized: CircuitReport & { readonly parameterValues: number; readonly maxUnits: number };
}

/** `symbolic`: the graph with integral nodes; `materialized`: its quadrature circuit. */
export function describeIntegral(symbolic: IRGraph, materialized: IRGraph): IntegralReport {
  const groups = new Map<string, { rule: string; points: number; evalPoints: number; latents: number }>();
  let latents = 0;
  for (const n of symbolic.nodes) {
    if (n.kind !== 'integral') continue;
    for (const l of n.latents) {
      latents++;
      const q = l.quadrature;
      const key = `${q.rule}/${q.points}/${q.evalPoints ?? q.points}`;
      const g = groups.get(key) ?? { rule: q.rule, points: q.points, evalPoints: q.evalPoints ?? q.points, latents: 0 };
      g.latents++;
      groups.set(key, g);
    }
  }
  const fnParams = new Set<string>();
  for (const p of Object.values(symbolic.params)) {
    if (p.param.kind !== 'neural') continue;
    const fn = p.param.fn;
    if (fn.kind === 'net') fn.layers.forEach((l) => fnParams.add(l.w).add(l.b));
    if (fn.kind === 'constant') fnParams.add(fn.param);
  }
  const functionParameters = [...fnParams].filter((k) => !symbolic.params[k]!.fixed).reduce((t, k) => t + symbolic.params[k]!.value.length, 0);
  const parameterValues = Object.values(materialized.params).reduce((t, p) => t + p.value.length, 0);
  return {
    latents,
    quadrature: [...groups.values()],
    functionParameters,
    materialized: { ...describeCircuit(materialized), parameterValues, maxUnits: Math.max(...materialized.nodes.map((n) => n.units)) },
  };
}

/** Plain-words lines for the terminal. */
export function integralLines(model: string, r: IntegralReport): string[] {
  const q = r.quadrature.map((g) => `${g.rule} with ${g.points} points${g.evalPoints !== g.points ? ` (queries at ${g.evalPoints})` : ''}${r.quadrature.length > 1 ? ` for ${g.latents}` : ''}`).join('; ');
  const m = r.materialized;
  return [
    `${model}: integral circuit with ${r.latents} continuous latent(s), ${q}; its functions have ${r.functionParameters.toLocaleString('en-US')} free parameters`,
    `${model}: quadrature materializes a circuit of ${m.nodes} nodes (up to ${m.maxUnits} units each, ${m.parameterValues.toLocaleString('en-US')} parameter values), depth ${m.depth}; ${m.sumNodes} sum nodes folded into ${m.sumFolds} batched ops; smooth ${m.smooth ? 'yes' : 'no'}, decomposable ${m.decomposable ? 'yes' : 'no'}`,
  ];
}
