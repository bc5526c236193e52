// Probabilities of boxes: log P(a_1 <= x_1 <= b_1, ..., e) for variables with leaf CDFs. Each
// leaf's density is replaced by its mass on the box (times its density of the evidence in its
// scope), and one sum-product upward pass does the rest: in a smooth, decomposable circuit
// the integral of the whole circuit over the box is the circuit of the leaves' integrals.
import type { BoundInterval, BoundQuery } from '../../ir/query.js';
import type { VarType } from '../../ir/types.js';
import { logDensityRows } from '../evaluate.js';
import type { QueryAnswer } from './answer.js';
import { evidenceRow, queryError } from './evidence.js';
import type { LayerContext, LayerParams, LeafFamily } from '../../stdlib/distributions/index.js';
import type { ModelState } from '../state.js';
import { upward } from './upward.js';

/** The one interval representation: ir/query.ts's BoundInterval (variable index, closed ends). */
export type IntervalBound = Pick<BoundInterval, 'v' | 'lower' | 'upper'>;

/**
 * log P(every x_v in [lower, upper], evidence) where evidence is a row over all variables
 * (NaN = unobserved; the variables of the intervals must be NaN there). Int variables count
 * the whole numbers in the closed interval; real ones the interval (ends have no mass).
 */
export function intervalLogProb(state: ModelState, intervals: readonly IntervalBound[], evidence?: Float64Array): number {
  const V = state.graph.vars.length;
  const ev = evidence ?? new Float64Array(V).fill(NaN);
  const byVar = new Map(intervals.map((b) => [b.v, b] as const));
  const { values } = upward(state, (node, layer) => {
    const local = Float64Array.from(node.scope, (v) => ev[v]!);
    const out = new Float64Array(node.units);
    // The density of the evidence in scope (the interval variables marginalized), then the masses.
    layer.family.logDensity(layer.params, layer.ctx, local, 1, out);
    const boxed = node.scope.map((v, j) => [j, byVar.get(v)] as const).filter((b): b is [number, IntervalBound] => b[1] !== undefined);
    if (boxed.length === 0) return out;
    const joint = boxed.length > 1 && layer.family.multivariate && !independentCoordinates(layer.ctx);
    if (joint && boxed.length > 2) {
      throw new Error(`an interval over more than two variables of one ${node.dist}(${layer.ctx.variant || 'full'}) leaf needs a multivariate CDF, which pmix does not have`);
    }
    for (let u = 0; u < node.units; u++) {
      if (out[u] === -Infinity) continue;
      if (joint) {
        const types = boxed.map(([, b]) => state.graph.vars[b.v]!.type);
        out[u] += Math.log(pairMass(layer.family, layer.params, layer.ctx, u, local, boxed as [[number, IntervalBound], [number, IntervalBound]], types, node.dist));
        continue;
      }
      for (const [j, b] of boxed) {
        // The one-variable conditional of coordinate j given the evidence, others marginalized.
        const drop = node.scope.map((_, k) => k !== j && Number.isNaN(local[k]!));
        const c = layer.family.condition(layer.params, layer.ctx, u, local, drop);
        out[u] += Math.log(mass(layer.family, c.params, c.ctx, b, state.graph.vars[b.v]!.type, node.dist));
      }
    }
    return out;
  }, 'sum');
  return values.get(state.graph.root)![0]!;
}

/**
 * P(x_j1 in b1, x_j2 in b2 | evidence) for one unit of a multivariate leaf: the integral over
 * x_j1 of its conditional density times the conditional mass of x_j2 given x_j1 (composite
 * Gauss-Legendre over the interval cut to 12 sd of x_j1; the integrand is smooth).
 */
function pairMass(
  family: LeafFamily, params: LayerParams, ctx: LayerContext, u: number, local: Float64Array,
  boxed: [[number, IntervalBound], [number, IntervalBound]], types: VarType[], dist: string,
): number {
  const [[j1, b1], [j2, b2]] = boxed;
  if (types[0]!.kind !== 'real') throw new Error(`an interval over two variables of one ${dist} leaf needs the first to be real`);
  const c1 = family.condition(params, ctx, u, local, Array.from(local, (e, k) => k !== j1 && Number.isNaN(e)));
  const m = family.mean(c1.params, c1.ctx, 0)[0]!;
  const sd = Math.sqrt(family.variance(c1.params, c1.ctx, 0)[0]!);
  const lo = Math.max(b1.lower, m - 12 * sd);
  const hi = Math.min(b1.upper, m + 12 * sd);
  if (!(lo < hi)) return 0;
  const panels = 16;
  const h = (hi - lo) / panels;
  const ev = Float64Array.from(local);
  const dens = new Float64Array(1);
  let total = 0;
  for (let k = 0; k < panels; k++) {
    for (let q = 0; q < GL_X.length; q++) {
      const x = lo + h * (k + (GL_X[q]! + 1) / 2);
      family.logDensity(c1.params, c1.ctx, Float64Array.of(x), 1, dens);
      ev[j1] = x;
      const c2 = family.condition(params, ctx, u, ev, Array.from(ev, (e, i) => i !== j2 && Number.isNaN(e)));
      total += (h / 2) * GL_W[q]! * Math.exp(dens[0]!) * mass(family, c2.params, c2.ctx, b2, types[1]!, dist);
    }
  }
  return Math.min(1, total);
}

/** 20-point Gauss-Legendre nodes and weights on [-1, 1] (Newton on the Legendre recurrence). */
const [GL_X, GL_W] = ((n: number): [Float64Array, Float64Array] => {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = 0;
      for (let k = 1; k <= n; k++) {
        const p2 = p1;
        p1 = p0;
        p0 = ((2 * k - 1) * z * p1 - (k - 1) * p2) / k;
      }
      dp = (n * (z * p0 - p1)) / (z * z - 1);
      const dz = p0 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-15) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return [x, w];
})(20);

function independentCoordinates(ctx: LayerContext): boolean {
  return ctx.variant === 'diag' || ctx.variant === 'spherical';
}

function mass(family: LeafFamily, params: LayerParams, ctx: LayerContext, b: IntervalBound, type: VarType, dist: string): number {
  if (!family.cdf) throw new Error(`${dist} has no cumulative distribution function: interval probabilities need one`);
  if (!(b.lower <= b.upper)) return 0;
  if (type.kind === 'real') return Math.max(0, family.cdf(params, ctx, 0, b.upper) - family.cdf(params, ctx, 0, b.lower));
  const hi = Math.floor(b.upper);
  const lo = Math.ceil(b.lower);
  if (hi < lo) return 0;
  return Math.max(0, family.cdf(params, ctx, 0, hi) - family.cdf(params, ctx, 0, lo - 1));
}

/** `p(x in [a, b], y = 1 | z = 2)`: the probability of the box (times the density of the assignments), conditional when given. */
export function intervalQuery(state: ModelState, q: Extract<BoundQuery, { kind: 'density' }>): QueryAnswer {
  const V = state.graph.vars.length;
  const given = evidenceRow(V, q.given);
  const joint = evidenceRow(V, q.target, Float64Array.from(given));
  let lj: number;
  try {
    lj = intervalLogProb(state, q.intervals, joint);
  } catch (e) {
    throw queryError(q, `this interval probability cannot be computed: ${(e as Error).message}`, q.span, 'unsupported');
  }
  const lg = q.given.length ? logDensityRows(state, given, 1)[0]! : 0;
  if (lg === -Infinity) throw queryError(q, 'the given values have zero density under the model: the conditional is undefined');
  const logValue = lj - lg;
  return { kind: 'density', log: q.log, logValue, value: q.log ? logValue : Math.exp(logValue), conditional: q.given.length > 0 };
}
