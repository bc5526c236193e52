// The closed-form product of Normal layers with full (or tied) covariances over several
// variables (normal-product.ts handles diagonal ones coordinate by coordinate). With
// L_t = S_t^-1, P = sum L_t, mu = P^-1 sum L_t m_t, for every x
//   prod_t N(x | m_t, S_t) = I * N(x | mu, P^-1),
//   log I = sum_t log N(mu | m_t, S_t) - log N(mu | mu, P^-1)
// (k = 2: I = N(m_1 | m_2, S_1 + S_2)). So integrating out the missing coordinates M leaves
// I * N(x_O | mu_O, (P^-1)_OO); one coordinate c integrated over an interval, or against
// (x_c - center)^k, is that times the mass (or moment) of the conditional N(x_c | x_O). Two or
// more such coordinates in one leaf would need a multivariate Normal CDF: refused.
// Gradients: d log(integral over x_M of g) = E_q[d log g] with q the conditional of x_M given
// x_O under N(mu, P^-1) (mean x_M-bar, covariance C), so with e_t = xbar - m_t, a_t = L_t e_t:
//   d/dm_t = a_t,   d/dS_t = 1/2 (a_t a_t^T + L_t C~ L_t - L_t)   (C~: C in the M x M block).
import { LOG_2PI, normalCdf } from '../special.js';
import type { ProductCoordSpec, ProductLayer, TupleLeafOps } from './types.js';
import { cholesky, cholSolve, invFromChol, logDetChol, subMatrix } from './linalg.js';
import { cholOrThrow, covOf, errorUnit, meanOf } from './gaussian.js';
import { decode, specsByDim } from './product-coords.js';
import { normalMass, normalMoment } from './normal-moments.js';

/** One unit of one factor: mean, covariance, its inverse and log determinant. */
interface Unit {
  readonly m: Float64Array;
  readonly inv: Float64Array;
  readonly logdet: number;
}

/** The product of one tuple of units: I, mean and covariance of the scaled Normal. */
interface Scaled {
  readonly logI: number;
  readonly mu: Float64Array;
  readonly cov: Float64Array;
}

/** Conditional of coordinates T given O under one Scaled: x_T | x_O ~ N(mu_T + R (x_O - mu_O), C). */
interface Conditional {
  readonly cholO: Float64Array;
  readonly logdetO: number;
  /** |T| x |O|, row-major. */
  readonly R: Float64Array;
  /** |T| x |T|. */
  readonly C: Float64Array;
}

function conditionalOf(s: Scaled, D: number, O: readonly number[], T: readonly number[]): Conditional {
  const no = O.length;
  const nt = T.length;
  const cholO = subMatrix(s.cov, D, O);
  if (no > 0 && !cholesky(cholO, no)) throw new Error('the product of the Normal leaves has a singular covariance');
  const R = new Float64Array(nt * no);
  const col = new Float64Array(no);
  for (let i = 0; i < nt; i++) {
    for (let k = 0; k < no; k++) col[k] = s.cov[O[k]! * D + T[i]!]!;
    if (no > 0) cholSolve(cholO, no, col);
    R.set(col, i * no);
  }
  const C = subMatrix(s.cov, D, T);
  for (let i = 0; i < nt; i++) for (let j = 0; j < nt; j++) for (let k = 0; k < no; k++) C[i * nt + j] -= R[i * no + k]! * s.cov[O[k]! * D + T[j]!]!;
  return { cholO, logdetO: no > 0 ? logDetChol(cholO, no) : 0, R, C };
}

/** log N(x_O | mu_O, cov_OO) from the conditional's Cholesky factor; also leaves x_O - mu_O solved in `z`. */
function logMarginal(x: Float64Array, i: number, D: number, s: Scaled, O: readonly number[], c: Conditional, d: Float64Array): number {
  const no = O.length;
  if (no === 0) return 0;
  for (let k = 0; k < no; k++) d[k] = x[i * D + O[k]!]! - s.mu[O[k]!]!;
  const z = d.slice(0, no);
  cholSolve(c.cholO, no, z);
  let q = 0;
  for (let k = 0; k < no; k++) q += d[k]! * z[k]!;
  return -0.5 * (no * LOG_2PI + c.logdetO + q);
}

export function normalFullTuple(ls: readonly ProductLayer[]): TupleLeafOps {
  const K = ls.length;
  const D = ls[0]!.ctx.dims;
  const { size, U } = decode(ls.map((l) => l.ctx.units));
  // per factor and unit, computed on first use
  const units: Unit[][] = ls.map(() => []);
  const unitOf = (t: number, u: number): Unit => {
    const cached = units[t]![u];
    if (cached) return cached;
    const { params, ctx } = ls[t]!;
    const l = cholOrThrow(covOf(params, { ...ctx, variant: ctx.variant || 'full' }, u), D, errorUnit(ctx, u));
    const unit = { m: meanOf(params, ctx, u), inv: invFromChol(l, D), logdet: logDetChol(l, D) };
    units[t]![u] = unit;
    return unit;
  };
  const logN = (x: Float64Array, un: Unit): number => {
    let q = 0;
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) q += (x[a]! - un.m[a]!) * un.inv[a * D + b]! * (x[b]! - un.m[b]!);
    return -0.5 * (D * LOG_2PI + un.logdet + q);
  };
  const scaled: Scaled[] = [];
  const scaledOf = (f: number): Scaled => {
    const cached = scaled[f];
    if (cached) return cached;
    const P = new Float64Array(D * D);
    const b = new Float64Array(D);
    for (let t = 0; t < K; t++) {
      const un = unitOf(t, U[f * K + t]!);
      for (let a = 0; a < D * D; a++) P[a] += un.inv[a]!;
      for (let a = 0; a < D; a++) for (let c = 0; c < D; c++) b[a] += un.inv[a * D + c]! * un.m[c]!;
    }
    if (!cholesky(P, D)) throw new Error('the product of the Normal leaves has a singular precision');
    const mu = b.slice();
    cholSolve(P, D, mu);
    let logI = 0.5 * D * LOG_2PI - 0.5 * logDetChol(P, D);
    for (let t = 0; t < K; t++) logI += logN(mu, unitOf(t, U[f * K + t]!));
    const s = { logI, mu, cov: invFromChol(P, D) };
    scaled[f] = s;
    return s;
  };
  // per (pattern, flat index): the conditional of the pattern's targets given its observed coordinates
  const conds = new Map<string, Conditional[]>();
  const condOf = (key: string, f: number, O: readonly number[], T: readonly number[]): Conditional => {
    let row = conds.get(key);
    if (!row) conds.set(key, (row = []));
    return (row[f] ??= conditionalOf(scaledOf(f), D, O, T));
  };
  const d = new Float64Array(D);
  const kind = ls.some((l) => (l.ctx.variant || 'full') === 'full') ? 'full' : 'tied';
  return {
    forward(xs, n, cdf, out, sign) {
      const specs = specsByDim(cdf, D);
      const special = specs.map((s, j) => (s ? j : -1)).filter((j) => j >= 0);
      if (special.length > 1) throw new Error(`${special.length} variables of one Normal(${kind}) leaf are integrated over intervals or against moments together; that needs a multivariate Normal CDF, which squared circuits do not compute (ask about one of them at a time, or use sample(n))`);
      const c = special[0];
      const spec: ProductCoordSpec | undefined = c === undefined ? undefined : specs[c];
      const O: number[] = [];
      for (let i = 0; i < n; i++) {
        O.length = 0;
        for (let j = 0; j < D; j++) if (j !== c && !Number.isNaN(xs[i * D + j]!)) O.push(j);
        const key = `${O.join(',')}|${c ?? ''}`;
        for (let f = 0; f < size; f++) {
          const s = scaledOf(f);
          const cond = condOf(key, f, O, c === undefined ? [] : [c]);
          let acc = s.logI + logMarginal(xs, i, D, s, O, cond, d);
          let sg = 1;
          if (spec && c !== undefined) {
            // the conditional N(x_c | x_O): mean mu_c + R (x_O - mu_O) (d holds x_O - mu_O), variance C
            let mc = s.mu[c]!;
            for (let k = 0; k < O.length; k++) mc += cond.R[k]! * d[k]!;
            const vc = cond.C[0]!;
            if (spec.moment) {
              const r = normalMoment(mc, vc, spec.moment.center, spec.moment.k);
              acc += Math.log(Math.abs(r));
              sg = Math.sign(r);
            } else if (!spec.lower) acc += Math.log(normalCdf((spec.upper![i]! - mc) / Math.sqrt(vc)));
            else acc += Math.log(normalMass(mc, 1 / vc, spec.lower[i]!, spec.upper ? spec.upper[i]! : Infinity));
          }
          out[i * size + f] = acc;
          if (sign) sign[i * size + f] = acc === -Infinity ? 0 : sg;
        }
      }
    },
    backward(xs, n, flow, grads) {
      const O: number[] = [];
      const M: number[] = [];
      const xbar = new Float64Array(D);
      const e = new Float64Array(D);
      const a = new Float64Array(D);
      // the sum of the flows per (pattern, flat index): the constant part of d/dS_t is added once
      const flowSums = new Map<string, { O: number[]; M: number[]; F: Float64Array }>();
      const addCov = (t: number, u: number, r: number, k: number, v: number): void => {
        const { ctx } = ls[t]!;
        const g = grads[t]!;
        switch (ctx.variant) {
          case 'diag':
            if (r === k) g['var']![u * D + r] += v;
            return;
          case 'spherical':
            if (r === k) g['var']![u] += v;
            return;
          case 'tied':
            g['cov']![r * D + k] += v;
            return;
          default:
            g['cov']![u * D * D + r * D + k] += v;
        }
      };
      for (let i = 0; i < n; i++) {
        O.length = 0;
        M.length = 0;
        for (let j = 0; j < D; j++) (Number.isNaN(xs[i * D + j]!) ? M : O).push(j);
        const key = `${O.join(',')}|m`;
        let sums = flowSums.get(key);
        if (!sums) flowSums.set(key, (sums = { O: O.slice(), M: M.slice(), F: new Float64Array(size) }));
        for (let f = 0; f < size; f++) {
          const F = flow[i * size + f]!;
          if (F === 0) continue;
          sums.F[f] += F;
          const s = scaledOf(f);
          const cond = condOf(key, f, O, M);
          for (let k = 0; k < O.length; k++) {
            d[k] = xs[i * D + O[k]!]! - s.mu[O[k]!]!;
            xbar[O[k]!] = xs[i * D + O[k]!]!;
          }
          for (let r = 0; r < M.length; r++) {
            let v = s.mu[M[r]!]!;
            for (let k = 0; k < O.length; k++) v += cond.R[r * O.length + k]! * d[k]!;
            xbar[M[r]!] = v;
          }
          for (let t = 0; t < K; t++) {
            const u = U[f * K + t]!;
            const un = unitOf(t, u);
            for (let j = 0; j < D; j++) e[j] = xbar[j]! - un.m[j]!;
            for (let r = 0; r < D; r++) {
              let v = 0;
              for (let k = 0; k < D; k++) v += un.inv[r * D + k]! * e[k]!;
              a[r] = v;
            }
            const gm = grads[t]!['mean'];
            if (gm) for (let r = 0; r < D; r++) gm[u * D + r] += F * a[r]!;
            for (let r = 0; r < D; r++) for (let k = 0; k < D; k++) addCov(t, u, r, k, 0.5 * F * a[r]! * a[k]!);
          }
        }
      }
      for (const [key, { O: Ok, M: Mk, F: Fs }] of flowSums) {
        const nm = Mk.length;
        for (let f = 0; f < size; f++) {
          if (Fs[f] === 0) continue;
          const cond = condOf(key, f, Ok, Mk);
          for (let t = 0; t < K; t++) {
            const u = U[f * K + t]!;
            const L = unitOf(t, u).inv;
            // 1/2 F (L C~ L - L)
            for (let r = 0; r < D; r++) {
              for (let k = 0; k < D; k++) {
                let v = -L[r * D + k]!;
                for (let p = 0; p < nm; p++) for (let q = 0; q < nm; q++) v += L[r * D + Mk[p]!]! * cond.C[p * nm + q]! * L[Mk[q]! * D + k]!;
                addCov(t, u, r, k, 0.5 * Fs[f]! * v);
              }
            }
          }
        }
      }
    },
  };
}

