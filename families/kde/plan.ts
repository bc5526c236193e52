// An evaluation plan for one pattern of observed query columns: the training rows whitened
// over the observed real columns (z = L^-1 x with H_SS = L L^T: dropping the unobserved
// columns of a gaussian marginalizes them exactly), the log normalizer, and the categorical
// factors. Missing cells of a product kernel just drop their factor (each integrates to 1).
import { PmixError } from '../../runtime/errors.js';
import { logKernelNorm } from './kernels.js';
import { cholesky, invertLower, logDetHalf, subMatrix } from './linalg.js';
import type { Kde } from './model.js';

export interface Plan {
  /** observed real columns (indices into a row) and their positions in kde.real */
  readonly realObs: Int32Array;
  readonly realPos: Int32Array;
  /** observed categorical columns (indices into a row) and their positions in kde.cat */
  readonly catObs: Int32Array;
  readonly catPos: Int32Array;
  /** whitening (k x k lower triangular, L^-1) of the observed real columns */
  readonly T: Float64Array;
  readonly k: number;
  /** log of the kernel normalizer over the observed columns, -log det L included */
  readonly logNorm: number;
  /** training rows whitened over the observed real columns (n x k) */
  readonly Z: Float64Array;
  /** a 1-D kernel per coordinate (the product form of a non-gaussian kernel) */
  readonly product: boolean;
  /** log Aitchison-Aitken factor when the level matches / differs */
  readonly catSame: Float64Array;
  readonly catDiff: Float64Array;
}

const cache = new WeakMap<Kde, Map<string, Plan>>();

/** The plan for the given observed-column mask (a string of '1'/'0' over the columns). */
export function planFor(kde: Kde, mask: string): Plan {
  let m = cache.get(kde);
  if (!m) cache.set(kde, (m = new Map()));
  let p = m.get(mask);
  if (!p) m.set(mask, (p = buildPlan(kde, mask)));
  return p;
}

/** '1' for each column of the row that is observed (not NaN). */
export function maskOf(q: Float64Array, offset: number, d: number): string {
  let s = '';
  for (let j = 0; j < d; j++) s += Number.isNaN(q[offset + j]!) ? '0' : '1';
  return s;
}

function buildPlan(kde: Kde, mask: string): Plan {
  const dr = kde.real.length;
  const realPos = Int32Array.from([...kde.real.keys()].filter((a) => mask[kde.real[a]!] === '1'));
  const catPos = Int32Array.from([...kde.cat.keys()].filter((a) => mask[kde.cat[a]!] === '1'));
  const realObs = realPos.map((a) => kde.real[a]!);
  const catObs = catPos.map((a) => kde.cat[a]!);
  const k = realObs.length;
  const product = kde.form === 'product' && kde.kernel !== 'gaussian';
  if (!product && k < dr && kde.kernel !== 'gaussian' && k > 0) {
    throw new PmixError(`kde: a missing real cell cannot be marginalized out of a radial '${kde.kernel}' kernel (its marginal is another kernel); use form 'product' or the gaussian kernel`, 'kde');
  }
  const Hs = subMatrix(kde.H, dr, realPos);
  const L = cholesky(Hs, k);
  if (!L) throw new PmixError('kde: the bandwidth matrix is not positive definite', 'kde');
  const T = invertLower(L, k);
  let logNorm = -logDetHalf(L, k);
  if (k > 0) logNorm += product ? k * logKernelNorm(kde.kernel, 1) : logKernelNorm(kde.kernel, k);
  const Z = new Float64Array(kde.n * k);
  for (let i = 0; i < kde.n; i++)
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += T[a * k + b]! * kde.x[i * kde.d + realObs[b]!]!;
      Z[i * k + a] = s;
    }
  const catSame = Float64Array.from(catPos, (a) => Math.log(1 - kde.lambda[a]!));
  const catDiff = Float64Array.from(catPos, (a) => Math.log(kde.lambda[a]! / (kde.columns[kde.cat[a]!]!.levels! - 1)));
  return { realObs, realPos, catObs, catPos, T, k, logNorm, Z, product, catSame, catDiff };
}

/** Whitens the observed real cells of query row q (at offset) into out[0 .. k). */
export function whitenQuery(p: Plan, q: Float64Array, offset: number, out: Float64Array): void {
  for (let a = 0; a < p.k; a++) {
    let s = 0;
    for (let b = 0; b <= a; b++) s += p.T[a * p.k + b]! * q[offset + p.realObs[b]!]!;
    out[a] = s;
  }
}
