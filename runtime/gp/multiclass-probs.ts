// Class probabilities of a multiclass GP at a point, E[softmax(f)] with f ~ N(mean, cov) (C-dim):
// no closed form, and tensor quadrature costs Q^C. pmix uses R&W Algorithm 3.4's Monte Carlo with
// a fixed rule: S = 2000 draws (1000 antithetic pairs z, -z) of a standard normal from seed
// MC_SEED, the same draws at every point and in every run, so a prediction is deterministic and
// smooth in x. Its error is at most about 0.5 / sqrt(S) ~ 0.011 (one sd) per probability, much
// less where the latent variance is small (the pairs cancel the linear part).
import { cholesky } from '../kernels/cholesky.js';
import { Rng } from '../../stdlib/random.js';

export const MC_SAMPLES = 2000;
export const MC_SEED = 20;

const draws = new Map<number, Float64Array>();

/** S x C standard normal draws, antithetic in pairs, fixed per C. */
function normals(C: number): Float64Array {
  let z = draws.get(C);
  if (!z) {
    const rng = new Rng(MC_SEED);
    z = new Float64Array(MC_SAMPLES * C);
    for (let s = 0; s < MC_SAMPLES; s += 2) {
      for (let c = 0; c < C; c++) {
        const v = rng.normal();
        z[s * C + c] = v;
        z[(s + 1) * C + c] = -v;
      }
    }
    draws.set(C, z);
  }
  return z;
}

/** The lower Cholesky factor of a C x C covariance (a little jitter when it is singular to rounding). */
function factor(cov: Float64Array, C: number): Float64Array {
  let scale = 0;
  for (let c = 0; c < C; c++) scale = Math.max(scale, cov[c * C + c]!);
  for (const j of [0, 1e-12, 1e-10, 1e-8, 1e-6]) {
    const l = Float64Array.from(cov);
    for (let c = 0; c < C; c++) l[c * C + c] += j * Math.max(scale, 1e-300);
    if (cholesky(l, C).ok) {
      for (let i = 0; i < C; i++) for (let k = i + 1; k < C; k++) l[i * C + k] = 0;
      return l;
    }
  }
  // Degenerate: the marginal sds only.
  const l = new Float64Array(C * C);
  for (let c = 0; c < C; c++) l[c * C + c] = Math.sqrt(Math.max(0, cov[c * C + c]!));
  return l;
}

/** E[softmax(f)], f ~ N(mean, cov), by the fixed Monte Carlo rule. */
export function classProbabilities(mean: Float64Array, cov: Float64Array): Float64Array {
  const C = mean.length;
  const l = factor(cov, C);
  const z = normals(C);
  const p = new Float64Array(C);
  const f = new Float64Array(C);
  for (let s = 0; s < MC_SAMPLES; s++) {
    let mx = -Infinity;
    for (let i = 0; i < C; i++) {
      let v = mean[i]!;
      for (let k = 0; k <= i; k++) v += l[i * C + k]! * z[s * C + k]!;
      f[i] = v;
      mx = Math.max(mx, v);
    }
    let t = 0;
    for (let i = 0; i < C; i++) t += (f[i] = Math.exp(f[i]! - mx));
    for (let i = 0; i < C; i++) p[i] += f[i]! / t;
  }
  for (let i = 0; i < C; i++) p[i] /= MC_SAMPLES;
  return p;
}
