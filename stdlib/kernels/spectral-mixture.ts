// Spectral mixture (Wilson & Adams 2013): q Gaussian components in the spectral domain,
// k(tau) = sum_q w_q prod_d exp(-2 pi^2 tau_d^2 v_qd) cos(2 pi tau_d mu_qd), tau = x - x'.
import type { BaseKernel, KernelContext } from './types.js';

const qOf = (ctx: KernelContext): number => ctx.options.q ?? 1;
const TWO_PI2 = 2 * Math.PI * Math.PI;

export const spectralMixture: BaseKernel = {
  name: 'spectral_mixture',
  description: 'q Gaussian components of the spectral density (weights, means = frequencies, variances)',
  params: [
    { name: 'weights', shape: (c) => [qOf(c)], positive: true, init: { kind: 'output-var', factor: 1 }, bounds: [1e-8, 1e8] },
    { name: 'means', aliases: ['frequencies'], shape: (c) => [qOf(c), c.dims], positive: true, init: { kind: 'frequency' }, bounds: [1e-8, 1e8] },
    { name: 'variances', aliases: ['scales'], shape: (c) => [qOf(c), c.dims], positive: true, init: { kind: 'inverse-range' }, bounds: [1e-10, 1e8] },
  ],
  options: [{ name: 'q', min: 1, default: 1, description: 'the number of spectral components' }],
  stationary: true,
  value([wt, mu, v], ctx, pairs, out) {
    const Q = qOf(ctx);
    const D = ctx.dims;
    const tau = diffs(ctx, pairs);
    out.fill(0, 0, pairs.length);
    for (let p = 0; p < pairs.length; p++) {
      let k = 0;
      for (let q = 0; q < Q; q++) {
        let e = 0;
        let c = 1;
        for (let d = 0; d < D; d++) {
          const t = tau[d]![p]!;
          e += t * t * v![q * D + d]!;
          c *= Math.cos(2 * Math.PI * t * mu![q * D + d]!);
        }
        k += wt![q]! * Math.exp(-TWO_PI2 * e) * c;
      }
      out[p] = k;
    }
  },
  grad([wt, mu, v], ctx, pairs, w, _k, [gw, gm, gv]) {
    const Q = qOf(ctx);
    const D = ctx.dims;
    const tau = diffs(ctx, pairs);
    const cs = new Float64Array(D);
    const sn = new Float64Array(D);
    for (let p = 0; p < pairs.length; p++) {
      const wp = w[p]!;
      if (wp === 0) continue;
      for (let q = 0; q < Q; q++) {
        let e = 0;
        let c = 1;
        for (let d = 0; d < D; d++) {
          const t = tau[d]![p]!;
          const a = 2 * Math.PI * t * mu![q * D + d]!;
          e += t * t * v![q * D + d]!;
          cs[d] = Math.cos(a);
          sn[d] = Math.sin(a);
          c *= cs[d]!;
        }
        const E = Math.exp(-TWO_PI2 * e);
        gw![q] += wp * E * c;
        for (let d = 0; d < D; d++) {
          const t = tau[d]![p]!;
          gv![q * D + d] += wp * wt![q]! * E * c * (-TWO_PI2 * t * t);
          let others = 1;
          for (let d2 = 0; d2 < D; d2++) if (d2 !== d) others *= cs[d2]!;
          gm![q * D + d] += wp * wt![q]! * E * others * (-sn[d]! * 2 * Math.PI * t);
        }
      }
    }
  },
  gradX([wt, mu, v], ctx, pairs, w, _k, g1, g2) {
    smGradX(wt!, mu!, v!, ctx, pairs, w, g1, g2);
  },
};

/** dk/dtau_d, tau = x - x': the input gradients (dk/dx' = -dk/dx). */
function smGradX(wt: Float64Array, mu: Float64Array, v: Float64Array, ctx: KernelContext, pairs: Parameters<BaseKernel['value']>[2], w: Float64Array, g1: Float64Array | undefined, g2: Float64Array | undefined): void {
  const Q = qOf(ctx);
  const D = ctx.dims;
  const tau = diffs(ctx, pairs);
  const out: Float64Array[] = [];
  for (let d = 0; d < D; d++) out.push(new Float64Array(pairs.length));
  const cs = new Float64Array(D);
  const sn = new Float64Array(D);
  for (let p = 0; p < pairs.length; p++) {
    const wp = w[p]!;
    if (wp === 0) continue;
    for (let q = 0; q < Q; q++) {
      let e = 0;
      for (let d = 0; d < D; d++) {
        const t = tau[d]![p]!;
        const a = 2 * Math.PI * t * mu[q * D + d]!;
        e += t * t * v[q * D + d]!;
        cs[d] = Math.cos(a);
        sn[d] = Math.sin(a);
      }
      const E = wp * wt[q]! * Math.exp(-TWO_PI2 * e);
      for (let d = 0; d < D; d++) {
        const t = tau[d]![p]!;
        let others = 1;
        for (let d2 = 0; d2 < D; d2++) if (d2 !== d) others *= cs[d2]!;
        // d/dtau_d [exp(-2 pi^2 sum tau^2 v) prod cos(2 pi tau mu)]
        out[d]![p] += E * others * (-2 * TWO_PI2 * t * v[q * D + d]! * cs[d]! - 2 * Math.PI * mu[q * D + d]! * sn[d]!);
      }
    }
  }
  for (let d = 0; d < D; d++) pairs.scatter(d, g1, out[d], g2, out[d], -1);
}

function diffs(ctx: KernelContext, pairs: Parameters<BaseKernel['value']>[2]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let d = 0; d < ctx.dims; d++) {
    const t = pairs.scratch(10 + d);
    pairs.diff(d, t);
    out.push(t);
  }
  return out;
}
