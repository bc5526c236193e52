// Products of k input layers in closed form: for units u_1..u_k of layers L_1..L_k over the
// same variables, log of f_1(x) ... f_k(x) at observed coordinates times, for every
// marginalized coordinate, the integral of the product over it (the leaves of the product
// circuit: k = 2 for c * c, k = 3 for c+ * c * c). A product of Normals is a scaled Normal:
// with a_t = 1 / s_t, P = sum a_t, mu = sum a_t m_t / P,
//   prod_t N(x | m_t, s_t) = I * N(x | mu, 1 / P),
//   log I = -(k-1)/2 log 2 pi + 1/2 sum log a_t - 1/2 log P - 1/2 (sum a_t m_t^2 - P mu^2)
// (k = 2: N(m_1 | m_2, s_1 + s_2)), so both its integral and its CDF are closed form;
// discrete leaves (Bernoulli, Categorical) multiply level by level. Gradients follow the
// same cases.
import { LOG_2PI, normalCdf } from '../../stdlib/special.js';
import type { LayerParams } from '../../stdlib/distributions/index.js';
import type { LeafLayerView, LeafShape } from './view.js';

/**
 * A coordinate treated specially instead of being observed or integrated over the whole line:
 * integrated only over [lower[row], upper[row]] (a missing end is infinite: CDF pieces for
 * sampling, interval masses), or, with `moment`, integrated against (x - center)^k (moments of
 * the product; the result may be negative, so forward then reports signs).
 */
export interface CdfSpec {
  readonly dim: number;
  readonly upper?: Float64Array;
  readonly lower?: Float64Array;
  readonly moment?: { readonly k: number; readonly center: number };
}

/** E[(x - c)^k] for x ~ N(mu, v) (k >= 0): the raw moments of N(mu - c, v) by their recurrence. */
export function normalMoment(mu: number, v: number, c: number, k: number): number {
  const d = mu - c;
  let m0 = 1;
  let m1 = d;
  if (k === 0) return 1;
  for (let j = 2; j <= k; j++) {
    const m2 = d * m1 + (j - 1) * v * m0;
    m0 = m1;
    m1 = m2;
  }
  return m1;
}

/** The mass of N(mu, 1/P) on [lo, hi], from the tail that keeps its precision. */
function normalMass(mu: number, P: number, lo: number, hi: number): number {
  if (!(lo < hi)) return 0;
  const r = Math.sqrt(P);
  const za = (lo - mu) * r;
  const zb = (hi - mu) * r;
  return Math.max(0, za > 0 ? normalCdf(-za) - normalCdf(-zb) : normalCdf(zb) - normalCdf(za));
}

/** Per coordinate 0..D-1, its special treatment (undefined: observed or integrated out). */
function specsByDim(cdf: CdfSpec | readonly CdfSpec[] | undefined, D: number): (CdfSpec | undefined)[] {
  const out = new Array<CdfSpec | undefined>(D).fill(undefined);
  if (!cdf) return out;
  for (const c of Array.isArray(cdf) ? (cdf as readonly CdfSpec[]) : [cdf as CdfSpec]) if (c.dim >= 0 && c.dim < D) out[c.dim] = c;
  return out;
}

export interface TupleLeafOps {
  /**
   * out[i * size + flat(u_1..u_k)] = log|.| of prod_t f_t[u_t] at row i (NaN cells integrated
   * out, the coordinates of `cdf` as it says); sign, when given, gets the signs (+1, -1, 0).
   */
  forward(xs: Float64Array, n: number, cdf: CdfSpec | readonly CdfSpec[] | undefined, out: Float64Array, sign?: Float64Array): void;
  /** Adds sum_i,flat flow[i, flat] * d log(prod_t f_t[u_t]) / d theta to grads[t] (natural space). */
  backward(xs: Float64Array, n: number, flow: Float64Array, grads: readonly LayerParams[]): void;
}
/** @deprecated the k = 2 name */
export type PairLeafOps = TupleLeafOps;

const variant = (l: LeafShape): string => l.ctx.variant || 'full';
const DISCRETE = new Set(['Bernoulli', 'Categorical']);

/** Why layers ls cannot be multiplied in closed form, or undefined when they can. */
export function tupleLeafProblem(ls: readonly LeafShape[]): string | undefined {
  const a = ls[0]!;
  for (const b of ls) {
    if (a.node.scope.join() !== b.node.scope.join()) return `input layers over different variables (${a.node.scope} vs ${b.node.scope}) meet in the product`;
    if (a.family.name !== b.family.name) return `${a.family.name} and ${b.family.name} leaves over the same variables have no closed-form product here`;
  }
  if (a.family.name === 'Normal') {
    for (const l of ls) {
      const vt = variant(l);
      if (l.ctx.dims > 1 && (vt === 'full' || vt === 'tied')) return `Normal(${vt}) over ${l.ctx.dims} variables: squared circuits need Normal(diag) or Normal(spherical) leaves over several variables`;
    }
    return undefined;
  }
  if (DISCRETE.has(a.family.name)) return a.ctx.levels.every((L) => L > 0) ? undefined : `${a.family.name} leaves need variables with known levels`;
  return `${a.family.name} leaves are not supported in squared circuits (they support Normal, Bernoulli and Categorical)`;
}

export function pairLeafProblem(a: LeafShape, b: LeafShape): string | undefined {
  return tupleLeafProblem([a, b]);
}

export function tupleLeaf(ls: readonly LeafLayerView[]): TupleLeafOps {
  const problem = tupleLeafProblem(ls);
  if (problem) throw new Error(problem);
  return ls[0]!.family.name === 'Normal' ? normalTuple(ls) : discreteTuple(ls);
}

/** For each flat index, the unit of each side (flat = sum_t u_t * stride_t, last side fastest). */
function decode(units: readonly number[]): { size: number; U: Int32Array } {
  const K = units.length;
  const size = units.reduce((p, u) => p * u, 1);
  const U = new Int32Array(size * K);
  for (let f = 0; f < size; f++) {
    let r = f;
    for (let t = K - 1; t >= 0; t--) {
      U[f * K + t] = r % units[t]!;
      r = Math.floor(r / units[t]!);
    }
  }
  return { size, U };
}

// ---- Normal x ... x Normal --------------------------------------------------------------

interface NormalView {
  mean(u: number, j: number): number;
  variance(u: number, j: number): number;
  addGrad(g: LayerParams, u: number, j: number, dMean: number, dVar: number): void;
}

function normalView(l: LeafLayerView): NormalView {
  const D = l.ctx.dims;
  const p = l.params;
  const vt = variant(l);
  const mean = p.mean!;
  const varIdx = (u: number, j: number): [string, number] =>
    vt === 'diag' ? ['var', u * D + j] : vt === 'spherical' ? ['var', u] : vt === 'tied' ? ['cov', 0] : ['cov', u * D * D];
  return {
    mean: (u, j) => mean[u * D + j]!,
    variance: (u, j) => {
      const [role, k] = varIdx(u, j);
      return p[role]![k]!;
    },
    addGrad: (g, u, j, dm, dv) => {
      g.mean![u * D + j] += dm;
      const [role, k] = varIdx(u, j);
      g[role]![k] += dv;
    },
  };
}

const logNormal = (x: number, m: number, s: number): number => -0.5 * (LOG_2PI + Math.log(s) + ((x - m) * (x - m)) / s);

function normalTuple(ls: readonly LeafLayerView[]): TupleLeafOps {
  const K = ls.length;
  const D = ls[0]!.ctx.dims;
  const views = ls.map(normalView);
  const { size, U } = decode(ls.map((l) => l.ctx.units));
  const m = new Float64Array(K);
  const s = new Float64Array(K);
  const load = (f: number, j: number): void => {
    for (let t = 0; t < K; t++) {
      m[t] = views[t]!.mean(U[f * K + t]!, j);
      s[t] = views[t]!.variance(U[f * K + t]!, j);
    }
  };
  /** log I, P and mu of the product of the loaded Normals. */
  const scale = (): { logI: number; P: number; mu: number } => {
    let P = 0;
    let B = 0;
    let la = 0;
    for (let t = 0; t < K; t++) {
      const a = 1 / s[t]!;
      P += a;
      B += a * m[t]!;
      la += Math.log(a);
    }
    const mu = B / P;
    // sum a_t (m_t - mu)^2 (= sum a_t m_t^2 - P mu^2, computed without cancellation)
    let Q = 0;
    for (let t = 0; t < K; t++) Q += ((m[t]! - mu) * (m[t]! - mu)) / s[t]!;
    return { logI: -0.5 * (K - 1) * LOG_2PI + 0.5 * la - 0.5 * Math.log(P) - 0.5 * Q, P, mu };
  };
  return {
    forward(xs, n, cdf, out, sign) {
      const specs = specsByDim(cdf, D);
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < size; f++) {
          let acc = 0;
          let sg = 1;
          for (let j = 0; j < D; j++) {
            const x = xs[i * D + j]!;
            load(f, j);
            const sp = specs[j];
            if (sp) {
              const { logI, P, mu } = scale();
              if (sp.moment) {
                const r = normalMoment(mu, 1 / P, sp.moment.center, sp.moment.k);
                acc += logI + Math.log(Math.abs(r));
                sg *= Math.sign(r);
              } else if (!sp.lower) acc += logI + Math.log(normalCdf((sp.upper![i]! - mu) * Math.sqrt(P)));
              else acc += logI + Math.log(normalMass(mu, P, sp.lower[i]!, sp.upper ? sp.upper[i]! : Infinity));
            } else if (Number.isNaN(x)) acc += scale().logI;
            else for (let t = 0; t < K; t++) acc += logNormal(x, m[t]!, s[t]!);
          }
          out[i * size + f] = acc;
          if (sign) sign[i * size + f] = acc === -Infinity ? 0 : sg;
        }
      }
    },
    backward(xs, n, flow, grads) {
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < size; f++) {
          const F = flow[i * size + f]!;
          if (F === 0) continue;
          for (let j = 0; j < D; j++) {
            const x = xs[i * D + j]!;
            load(f, j);
            if (Number.isNaN(x)) {
              const { P, mu } = scale();
              for (let t = 0; t < K; t++) {
                const a = 1 / s[t]!;
                const d = m[t]! - mu;
                const dA = 0.5 / a - 0.5 / P - 0.5 * d * d; // d log I / d a_t
                views[t]!.addGrad(grads[t]!, U[f * K + t]!, j, -F * a * d, -F * a * a * dA);
              }
            } else {
              for (let t = 0; t < K; t++) {
                const e = x - m[t]!;
                views[t]!.addGrad(grads[t]!, U[f * K + t]!, j, (F * e) / s[t]!, F * (-0.5 / s[t]! + (e * e) / (2 * s[t]! * s[t]!)));
              }
            }
          }
        }
      }
    },
  };
}

// ---- discrete x ... x discrete: level by level ------------------------------------------

function discreteTuple(ls: readonly LeafLayerView[]): TupleLeafOps {
  const K = ls.length;
  const D = ls[0]!.ctx.dims;
  const levels = ls[0]!.ctx.levels;
  const { size, U } = decode(ls.map((l) => l.ctx.units));
  // One synthetic row per (coordinate j, level k) with only x_j = k observed: the family's
  // own log-density then gives log f_u(x_j = k) for that coordinate alone.
  const first: number[] = [];
  let R = 0;
  for (let j = 0; j < D; j++) {
    first.push(R);
    R += levels[j]!;
  }
  const X = new Float64Array(R * D).fill(NaN);
  for (let j = 0; j < D; j++) for (let k = 0; k < levels[j]!; k++) X[(first[j]! + k) * D + j] = k;
  /** T[t][r * U_t + u] = log f_u(level of synthetic row r); joint(r, f) = sum_t T[t][r, u_t]. */
  const tables = (): { T: Float64Array[]; joint: (r: number, f: number) => number; M: Float64Array } => {
    const T = ls.map((l) => {
      const t = new Float64Array(R * l.ctx.units);
      l.family.logDensity(l.params, l.ctx, X, R, t);
      return t;
    });
    const joint = (r: number, f: number): number => {
      let s = 0;
      for (let t = 0; t < K; t++) s += T[t]![r * ls[t]!.ctx.units + U[f * K + t]!]!;
      return s;
    };
    // M[j, f] = log sum_k prod_t f_t(k)
    const M = new Float64Array(D * size);
    for (let j = 0; j < D; j++) {
      for (let f = 0; f < size; f++) {
        let mx = -Infinity;
        for (let k = 0; k < levels[j]!; k++) mx = Math.max(mx, joint(first[j]! + k, f));
        let s = 0;
        if (mx > -Infinity) for (let k = 0; k < levels[j]!; k++) s += Math.exp(joint(first[j]! + k, f) - mx);
        M[j * size + f] = mx > -Infinity ? mx + Math.log(s) : -Infinity;
      }
    }
    return { T, joint, M };
  };
  const level = (x: number, j: number): number => (Number.isInteger(x) && x >= 0 && x < levels[j]! ? x : -1);
  return {
    forward(xs, n, cdf, out, sign) {
      const specs = specsByDim(cdf, D);
      if (specs.some((sp) => sp?.moment)) throw new Error('moments of discrete leaves are not defined here: ask for their level probabilities');
      const { joint, M } = tables();
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < size; f++) {
          let s = 0;
          for (let j = 0; j < D; j++) {
            const x = xs[i * D + j]!;
            const sp = specs[j];
            if (sp) {
              let t = 0;
              const lo = sp.lower ? sp.lower[i]! : -Infinity;
              const hi = sp.upper ? sp.upper[i]! : Infinity;
              for (let k = 0; k < levels[j]! && k <= hi; k++) if (k >= lo) t += Math.exp(joint(first[j]! + k, f));
              s += Math.log(t);
            } else if (Number.isNaN(x)) s += M[j * size + f]!;
            else {
              const k = level(x, j);
              s += k < 0 ? -Infinity : joint(first[j]! + k, f);
            }
          }
          out[i * size + f] = s;
          if (sign) sign[i * size + f] = s === -Infinity ? 0 : 1;
        }
      }
    },
    backward(xs, n, flow, grads) {
      const { joint, M } = tables();
      const counts = ls.map((l) => new Float64Array(R * l.ctx.units));
      const add = (r: number, f: number, v: number): void => {
        for (let t = 0; t < K; t++) counts[t]![r * ls[t]!.ctx.units + U[f * K + t]!] += v;
      };
      for (let i = 0; i < n; i++) {
        for (let f = 0; f < size; f++) {
          const F = flow[i * size + f]!;
          if (F === 0) continue;
          for (let j = 0; j < D; j++) {
            const x = xs[i * D + j]!;
            if (Number.isNaN(x)) {
              const mj = M[j * size + f]!;
              for (let k = 0; k < levels[j]!; k++) add(first[j]! + k, f, F * Math.exp(joint(first[j]! + k, f) - mj));
            } else {
              const k = level(x, j);
              if (k >= 0) add(first[j]! + k, f, F);
            }
          }
        }
      }
      ls.forEach((l, t) => l.family.gradLogDensity(l.params, l.ctx, X, R, counts[t]!, grads[t]!));
    },
  };
}
