// The Normal leaf's closed-form product (LeafFamily.squareProduct): for units u_1..u_k of
// layers L_1..L_k over the same variables, a product of Normals is a scaled Normal: with
// a_t = 1 / s_t, P = sum a_t, mu = sum a_t m_t / P,
//   prod_t N(x | m_t, s_t) = I * N(x | mu, 1 / P),
//   log I = -(k-1)/2 log 2 pi + 1/2 sum log a_t - 1/2 log P - 1/2 (sum a_t m_t^2 - P mu^2)
// (k = 2: N(m_1 | m_2, s_1 + s_2)), so both its integral and its CDF are closed form, per
// coordinate, for diagonal covariances (diag, spherical, or one variable); full and tied ones
// over several variables take the matrix form of the same identity (normal-full-product.ts).
// Gradients follow the same cases.
import { LOG_2PI, normalCdf } from '../special.js';
import type { LayerContext, LayerParams, LeafProduct, ProductLayer, TupleLeafOps } from './types.js';
import { decode, specsByDim } from './product-coords.js';
import { normalMass, normalMoment } from './normal-moments.js';
import { normalFullTuple } from './normal-full-product.js';

const variantOf = (ctx: LayerContext): string => ctx.variant || 'full';

const diagonal = (ctx: LayerContext): boolean => ctx.dims === 1 || ctx.variant === 'diag' || ctx.variant === 'spherical';

export const normalProduct: LeafProduct = {
  // every variant has a closed-form product: diagonal ones per coordinate, full and tied ones as a whole
  problem: () => undefined,
  ops: (ls) => (ls.every((l) => diagonal(l.ctx)) ? normalTuple(ls) : normalFullTuple(ls)),
};

interface NormalView {
  mean(u: number, j: number): number;
  variance(u: number, j: number): number;
  addGrad(g: LayerParams, u: number, j: number, dMean: number, dVar: number): void;
}

function normalView(l: ProductLayer): NormalView {
  const D = l.ctx.dims;
  const p = l.params;
  const vt = variantOf(l.ctx);
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

function normalTuple(ls: readonly ProductLayer[]): TupleLeafOps {
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
