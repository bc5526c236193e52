// The six kernels of scikit-learn's KernelDensity with its normalizations in any dimension,
// and what the queries need from each: the 1-D CDF (interval probabilities of product
// kernels), E|u|^2 (variances), a sampler, and the mean-shift weight g(t) = -k'(t) of the
// profile k(t) = K(sqrt t) (the kernel's shadow). Unscaled: u is distance / bandwidth.
import type { Rng } from '../../stdlib/random.js';
import { lgamma, normalCdf } from '../../stdlib/special.js';

export const KERNEL_NAMES = ['gaussian', 'tophat', 'epanechnikov', 'exponential', 'linear', 'cosine'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

export function isKernelName(s: string): s is KernelName {
  return (KERNEL_NAMES as readonly string[]).includes(s);
}

/** Radius of the kernel's support in u (Infinity for gaussian and exponential). */
export function kernelRadius(k: KernelName): number {
  return k === 'gaussian' || k === 'exponential' ? Infinity : 1;
}

/** log K(u), unnormalized with K(0) = 1 (scikit-learn's compute_log_kernel with h = 1). */
export function logKernel(k: KernelName, u: number): number {
  switch (k) {
    case 'gaussian':
      return -0.5 * u * u;
    case 'tophat':
      return u < 1 ? 0 : -Infinity;
    case 'epanechnikov':
      return u < 1 ? Math.log(1 - u * u) : -Infinity;
    case 'exponential':
      return -u;
    case 'linear':
      return u < 1 ? Math.log(1 - u) : -Infinity;
    case 'cosine':
      return u < 1 ? Math.log(Math.cos(0.5 * Math.PI * u)) : -Infinity;
  }
}

/** K(u) = exp(logKernel(k, u)), without the log for the hot loops. */
export function kernelValue(k: KernelName, u: number): number {
  switch (k) {
    case 'gaussian':
      return Math.exp(-0.5 * u * u);
    case 'tophat':
      return u < 1 ? 1 : 0;
    case 'epanechnikov':
      return u < 1 ? 1 - u * u : 0;
    case 'exponential':
      return Math.exp(-u);
    case 'linear':
      return u < 1 ? 1 - u : 0;
    case 'cosine':
      return u < 1 ? Math.cos(0.5 * Math.PI * u) : 0;
  }
}

const LOG_PI = Math.log(Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
/** log volume of the unit n-ball. */
const logVn = (n: number): number => 0.5 * n * LOG_PI - lgamma(0.5 * n + 1);
/** log surface of the unit n-sphere (in R^(n+1)). */
const logSn = (n: number): number => LOG_2PI + logVn(n - 1);

/**
 * log of the normalizing constant of K on R^d with bandwidth 1, so that
 * exp(logKernelNorm(k, d) + logKernel(k, |u|)) integrates to 1 (scikit-learn's _log_kernel_norm).
 */
export function logKernelNorm(k: KernelName, d: number): number {
  if (!Number.isInteger(d) || d < 1) throw new Error(`kernel dimension must be a positive integer, got ${d}`);
  let factor: number;
  switch (k) {
    case 'gaussian':
      factor = 0.5 * d * LOG_2PI;
      break;
    case 'tophat':
      factor = logVn(d);
      break;
    case 'epanechnikov':
      factor = logVn(d) + Math.log(2 / (d + 2));
      break;
    case 'exponential':
      factor = logSn(d - 1) + lgamma(d);
      break;
    case 'linear':
      factor = logVn(d) - Math.log(d + 1);
      break;
    case 'cosine':
      // scikit-learn's closed form for the cosine kernel (its "chain rule integration") is
      // wrong for d >= 2 (NaN at d = 4 and 8): the radial integral is computed here instead.
      factor = Math.log(cosineRadialIntegral(d)) + logSn(d - 1);
      break;
  }
  return -factor;
}

const cosineIntegrals = new Map<number, number>();
/** integral of r^(d-1) cos(pi r / 2) over [0, 1]: a two-term recursion by parts for small d
 *  (it loses digits as d grows), Simpson's rule (20,000 panels) beyond. */
function cosineRadialIntegral(d: number): number {
  const hit = cosineIntegrals.get(d);
  if (hit !== undefined) return hit;
  let v: number;
  if (d <= 12) {
    // I_n = 2/pi - (2n/pi) J_(n-1), J_n = (2n/pi) I_(n-1); I_0 = J_0 = 2/pi
    let I = 2 / Math.PI;
    let J = 2 / Math.PI;
    for (let n = 1; n < d; n++) [I, J] = [2 / Math.PI - ((2 * n) / Math.PI) * J, ((2 * n) / Math.PI) * I];
    v = I;
  } else {
    const m = 20000;
    let s = 0;
    for (let i = 0; i <= m; i++) {
      const r = i / m;
      s += (i === 0 || i === m ? 1 : i % 2 ? 4 : 2) * r ** (d - 1) * Math.cos(0.5 * Math.PI * r);
    }
    v = s / (3 * m);
  }
  cosineIntegrals.set(d, v);
  return v;
}

/** CDF of the normalized 1-D kernel (bandwidth 1) at u: interval probabilities in closed form. */
export function kernelCdf1(k: KernelName, u: number): number {
  if (k === 'gaussian') return normalCdf(u);
  if (k === 'exponential') return u < 0 ? 0.5 * Math.exp(u) : 1 - 0.5 * Math.exp(-u);
  if (u <= -1) return 0;
  if (u >= 1) return 1;
  switch (k) {
    case 'tophat':
      return 0.5 * (u + 1);
    case 'epanechnikov':
      return 0.5 + 0.75 * (u - (u * u * u) / 3);
    case 'linear':
      return u < 0 ? 0.5 * (1 + u) ** 2 : 1 - 0.5 * (1 - u) ** 2;
    case 'cosine':
      return 0.5 * (1 + Math.sin(0.5 * Math.PI * u));
  }
}

const cosineMoment = new Map<number, number>();
/** E|u|^2 under the normalized kernel on R^d (bandwidth 1); per coordinate it is this / d. */
export function kernelSecondMoment(k: KernelName, d: number): number {
  switch (k) {
    case 'gaussian':
      return d;
    case 'tophat':
      return d / (d + 2);
    case 'epanechnikov':
      return d / (d + 4);
    case 'exponential':
      return d * (d + 1);
    case 'linear':
      return (d * (d + 1)) / ((d + 2) * (d + 3));
    case 'cosine': {
      // ratio of radial integrals of r^(d+1) and r^(d-1) against cos(pi r / 2) (Simpson, 4000 panels)
      const hit = cosineMoment.get(d);
      if (hit !== undefined) return hit;
      const m = 4000;
      let num = 0;
      let den = 0;
      for (let i = 0; i <= m; i++) {
        const r = i / m;
        const w = i === 0 || i === m ? 1 : i % 2 ? 4 : 2;
        const c = Math.cos(0.5 * Math.PI * r) * r ** (d - 1);
        den += w * c;
        num += w * c * r * r;
      }
      cosineMoment.set(d, num / den);
      return num / den;
    }
  }
}

const gammaInt = (shape: number, rng: Rng): number => {
  let s = 0;
  for (let i = 0; i < shape; i++) s -= Math.log(rng.uniformOpen());
  return s;
};

/** Draws u from the normalized kernel on R^d (bandwidth 1) into out[offset .. offset + d). */
export function sampleKernel(k: KernelName, d: number, rng: Rng, out: Float64Array, offset = 0): void {
  if (k === 'gaussian') {
    for (let j = 0; j < d; j++) out[offset + j] = rng.normal();
    return;
  }
  if (k === 'epanechnikov') {
    // the first d coordinates of a uniform point in the (d + 2)-ball have density prop. to 1 - |u|^2
    const g = new Float64Array(d + 2);
    let s = 0;
    for (let j = 0; j < d + 2; j++) s += (g[j] = rng.normal()) ** 2;
    const r = rng.uniform() ** (1 / (d + 2)) / Math.sqrt(s);
    for (let j = 0; j < d; j++) out[offset + j] = g[j]! * r;
    return;
  }
  // radius from its density r^(d-1) K(r), direction uniform
  let r: number;
  if (k === 'tophat') r = rng.uniform() ** (1 / d);
  else if (k === 'exponential') r = gammaInt(d, rng);
  else if (k === 'linear') {
    const a = gammaInt(d, rng);
    r = a / (a + gammaInt(2, rng));
  } else {
    // cosine: proposal r^(d-1) on [0, 1], accepted with probability cos(pi r / 2)
    do r = rng.uniform() ** (1 / d);
    while (rng.uniform() >= Math.cos(0.5 * Math.PI * r));
  }
  let s = 0;
  for (let j = 0; j < d; j++) s += (out[offset + j] = rng.normal()) ** 2;
  const scale = r / Math.sqrt(s);
  for (let j = 0; j < d; j++) out[offset + j]! *= scale;
}

/**
 * Mean-shift weight g(t) = -k'(t) (up to a constant) of the profile k(t) = K(sqrt t), t = u^2:
 * the kernel whose weighted mean climbs K's density (Cheng 1995). Tophat has none (its
 * density is piecewise flat); t is floored so exponential's and linear's 1/sqrt t stay finite.
 */
export function shadowWeight(k: KernelName, t: number): number {
  switch (k) {
    case 'gaussian':
      return Math.exp(-0.5 * t);
    case 'epanechnikov':
      return t < 1 ? 1 : 0;
    case 'exponential': {
      const s = Math.sqrt(Math.max(t, 1e-24));
      return Math.exp(-s) / s;
    }
    case 'linear':
      return t < 1 ? 1 / Math.sqrt(Math.max(t, 1e-24)) : 0;
    case 'cosine': {
      if (t >= 1) return 0;
      const s = Math.sqrt(t);
      return s < 1e-8 ? 0.5 * Math.PI : Math.sin(0.5 * Math.PI * s) / s;
    }
    case 'tophat':
      return NaN;
  }
}
