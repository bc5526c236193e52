// The closed-form product of discrete leaves over known levels (LeafFamily.squareProduct of
// factorized distributions that declare `levelProduct`): products multiply level by level, and
// a marginalized coordinate sums the product over its levels. The family's own log-density
// gives the per-level values, so any such distribution gets the product without code here.
import type { LayerContext, LeafFamily, LeafProduct, ProductLayer, TupleLeafOps } from './types.js';
import { decode, specsByDim } from './product-coords.js';

type LevelFamily = Pick<LeafFamily, 'name' | 'logDensity' | 'gradLogDensity'>;

export function levelProduct(fam: LevelFamily): LeafProduct {
  return {
    problem: (ctxs: readonly LayerContext[]) => (ctxs[0]!.levels.every((L) => L > 0) ? undefined : `${fam.name} leaves need variables with known levels`),
    ops: (ls) => levelTuple(fam, ls),
  };
}

function levelTuple(fam: LevelFamily, ls: readonly ProductLayer[]): TupleLeafOps {
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
      fam.logDensity(l.params, l.ctx, X, R, t);
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
      ls.forEach((l, t) => fam.gradLogDensity(l.params, l.ctx, X, R, counts[t]!, grads[t]!));
    },
  };
}
