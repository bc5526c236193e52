// The analytic pass (IR -> IR), run before quadrature: an integral over a standard normal
// latent z of Gaussian leaves whose means are affine in z (a_j z + b_j) and whose variances s_j^2
// do not depend on z is the Gaussian N(b, a a^T + diag(s^2)) (a linear-Gaussian model: for one
// variable N(x | b, a^2 + s^2)). It replaces the integral exactly, with no quadrature error.
// Which leaves qualify, their roles and the leaf of the result are the leaf family's declared
// capability (LeafFamily.linearGaussian); this pass reads a, b and s^2 from the graph.
// Applies to fixed functions only (closed forms and fixed constants); a learned function stays
// an integral. Each replacement (and why others were not replaced) is reported for pmix check.
import type { InputNode, IRGraph, IRNode, IRParam, NeuralParam } from '../../ir/types.js';
import { affineIn, latentsOf } from '../../circuits/integral/latent-expr.js';
import { getDistribution, type LinearGaussianLeaf } from '../../stdlib/distributions/index.js';

export interface AnalyticReport {
  readonly node: string;
  readonly source?: { line: number; column: number };
  /** The Gaussian it became, or why it stays an integral (quadrature). */
  readonly result: string;
  readonly applied: boolean;
}

interface Coef {
  readonly v: number;
  readonly a: number;
  readonly b: number;
  readonly s2: number;
}

/** The per-variable coefficients of one linear-Gaussian leaf, or why there are none. */
function leafCoefs(g: IRGraph, n: InputNode, z: string, lg: LinearGaussianLeaf | undefined): Coef[] | string {
  if (!lg || !lg.accepts(n.variant)) return `${n.dist}${n.variant ? `(${n.variant})` : ''} leaves have no closed-form marginal here`;
  const mean = g.params[n.params[lg.meanRole]!]!;
  const vr = g.params[n.params[lg.varianceRole]!]!;
  const mp = mean.param as NeuralParam;
  const vp = vr.param as NeuralParam;
  if (mp.kind !== 'neural' || mp.fn.kind !== 'expr') return `the mean is ${mp.kind === 'neural' && mp.fn.kind === 'net' ? 'a net' : 'learned'}, not a closed form`;
  const ab = affineIn(mp.fn.expr, z);
  if (!ab) return `the mean is not affine in the latent`;
  let s2: number[];
  if (vp.kind === 'neural' && vp.fn.kind === 'expr') {
    if (latentsOf(vp.fn.expr).size > 0) return `the ${vp.fn.arg} depends on the latent`;
    return `the ${vp.fn.arg} is a closed form; write it as a number`;
  } else if (vp.kind === 'neural' && vp.fn.kind === 'constant') {
    const c = g.params[vp.fn.param]!;
    if (!c.fixed) return `the variance is learned; mark it fixed for the closed form`;
    s2 = c.value.map((u) => Math.exp(u));
  } else return `the variance is a net`;
  return n.scope.map((v, j) => ({ v, a: ab.a, b: ab.b, s2: lg.variance(s2, n.variant, j) }));
}

export function analyticIntegrals(g: IRGraph): { graph: IRGraph; reports: AnalyticReport[] } {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const reports: AnalyticReport[] = [];
  const replaced = new Map<string, { node: InputNode; params: IRParam[] }>();
  for (const n of g.nodes) {
    if (n.kind !== 'integral') continue;
    const why = (result: string): void => void reports.push({ node: n.id, ...(n.source ? { source: n.source } : {}), result, applied: false });
    const lat = n.latents[0]!;
    if (n.latents.length !== 1 || lat.domain.kind !== 'normal' || n.weights || n.given) {
      why(lat.domain.kind !== 'normal' ? 'the latent is uniform on an interval' : 'the latent has a learned weight function');
      continue;
    }
    const child = byId.get(n.child)!;
    const leaves: IRNode[] = child.kind === 'product' ? child.children.map((c) => byId.get(c)!) : [child];
    const coefs: Coef[] = [];
    let problem: string | undefined;
    // The first leaf's family writes the result (every leaf of the body qualified).
    let writer: LinearGaussianLeaf | undefined;
    for (const leaf of leaves) {
      if (leaf.kind !== 'input') {
        problem = 'its body is not a product of leaves';
        break;
      }
      const lg = getDistribution(leaf.dist)?.linearGaussian;
      writer ??= lg;
      const c = leafCoefs(g, leaf, lat.name, lg);
      if (typeof c === 'string') {
        problem = c;
        break;
      }
      coefs.push(...c);
    }
    if (problem) {
      why(problem);
      continue;
    }
    coefs.sort((x, y) => x.v - y.v);
    const D = coefs.length;
    const id = n.id;
    const cov = new Array<number>(D * D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) cov[i * D + j] = coefs[i]!.a * coefs[j]!.a + (i === j ? coefs[i]!.s2 : 0);
    if (D === 1) cov[0] = coefs[0]!.a ** 2 + coefs[0]!.s2; // as one variable always was (a ** 2, not a * a)
    const { node, params, text } = writer!.marginal({ id, scope: n.scope, units: n.units, ...(n.source ? { source: n.source } : {}) }, coefs.map((c) => c.b), cov);
    replaced.set(id, { node, params });
    reports.push({
      node: id,
      ...(n.source ? { source: n.source } : {}),
      applied: true,
      result: D === 1 ? `${text} exactly (linear-Gaussian)` : `${text}, cov = a a^T + diag(s^2), exactly (linear-Gaussian)`,
    });
  }
  if (replaced.size === 0) return { graph: g, reports };
  // Drop the replaced integrals' bodies (nodes only they reach) and their parameters.
  const keep = new Set<string>();
  const visit = (id: string): void => {
    if (keep.has(id)) return;
    keep.add(id);
    if (replaced.has(id)) return;
    const n = byId.get(id)!;
    if ('children' in n) n.children.forEach(visit);
    else if (n.kind === 'integral') visit(n.child);
    else if (n.kind === 'square') [n.child, ...(n.parts ?? []), ...(n.monotone ? [n.monotone] : []), ...(n.partition ? [n.partition] : [])].forEach(visit);
  };
  visit(g.root);
  const nodes = g.nodes.filter((n) => keep.has(n.id)).map((n) => replaced.get(n.id)?.node ?? n);
  const params: Record<string, IRParam> = {};
  const refs = new Set<string>();
  for (const n of nodes) {
    if (n.kind === 'input') Object.values(n.params).forEach((p) => refs.add(p));
    if ((n.kind === 'sum' || n.kind === 'mixing') && n.weights) refs.add(n.weights);
    if (n.kind === 'integral' && n.weights) refs.add(n.weights);
  }
  for (const r of [...refs]) {
    const p = g.params[r];
    if (p?.param.kind === 'neural') {
      const fn = p.param.fn;
      if (fn.kind === 'net') fn.layers.forEach((l) => refs.add(l.w).add(l.b));
      if (fn.kind === 'constant') refs.add(fn.param);
    }
  }
  for (const [k, p] of Object.entries(g.params)) if (refs.has(k)) params[k] = p;
  for (const { params: ps } of replaced.values()) for (const p of ps) params[p.name] = p;
  const stillIntegral = nodes.some((n) => n.kind === 'integral');
  const family = stillIntegral ? 'integral' : nodes.some((n) => n.kind === 'sum') ? 'circuit' : 'mixture';
  return { graph: { ...g, family, nodes, params }, reports };
}
