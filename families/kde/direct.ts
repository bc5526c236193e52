// Exact log density by the direct sum, in log space: per query, one pass over the training
// rows keeps a running (max, sum of exp(term - max)), so a query far from every point (every term underflows) still gets its right
// finite log density, and a compact kernel with no point in reach gets -Infinity honestly.
// Memory: one whitened copy of the training rows per pattern of
// missing cells, whatever the numbers of training and query rows (1M x 1M included).
import { PmixError } from '../../runtime/errors.js';
import { logKernel } from './kernels.js';
import type { Kde } from './model.js';
import { gaussianBlockSums } from './direct-wasm.js';
import { maskOf, planFor, whitenQuery, type Plan } from './plan.js';

const SKIP = 60;

/** Validates query rows (n x d, NaN = missing) and returns how many there are. */
export function checkQueries(kde: Kde, q: Float64Array): number {
  if (q.length % kde.d !== 0) throw new PmixError(`kde: query length ${q.length} is not a multiple of d = ${kde.d}`, 'kde');
  const m = q.length / kde.d;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < kde.d; j++) {
      const v = q[i * kde.d + j]!;
      const c = kde.columns[j]!;
      if (Number.isNaN(v)) continue;
      if (!Number.isFinite(v)) throw new PmixError(`kde: query row ${i + 1}, column '${c.name}': ${v}`, 'kde');
      if (c.type === 'categorical' && !(Number.isInteger(v) && v >= 0 && v < c.levels!)) throw new PmixError(`kde: query row ${i + 1}, column '${c.name}': ${v} is not a level 0..${c.levels! - 1}`, 'kde');
    }
  return m;
}

/** log p(q_i) for each query row (NaN cells are marginalized out). */
export function logDensity(kde: Kde, q: Float64Array): Float64Array {
  const m = checkQueries(kde, q);
  const out = new Float64Array(m);
  const logW = kde.w ? kde.w.map(Math.log) : null;
  // rows grouped by their pattern of observed cells: one plan (whitening) per pattern
  const groups = new Map<string, number[]>();
  for (let i = 0; i < m; i++) {
    const key = maskOf(q, i * kde.d, kde.d);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  const shift = logW ? 0 : -Math.log(kde.n);
  for (const [mask, rows] of groups) {
    const p = planFor(kde, mask);
    const zq = new Float64Array(rows.length * p.k);
    rows.forEach((i, r) => whitenQuery(p, q, i * kde.d, zq.subarray(r * p.k, r * p.k + p.k)));
    const sums = new Float64Array(rows.length);
    const plain = kde.kernel === 'gaussian' && p.catObs.length === 0 && p.k > 0;
    if (!(plain && gaussianBlockSums(p, kde.n, zq, rows.length, logW, sums)))
      rows.forEach((i, r) => (sums[r] = logSumTerms(kde, p, q, i * kde.d, zq.subarray(r * p.k, r * p.k + p.k), logW)));
    rows.forEach((i, r) => (out[i] = sums[r]! + p.logNorm + shift));
  }
  return out;
}

/**
 * Each training row's own log kernel term at one query row q (d values, NaN = marginalized),
 * without weights and without the normalizer (the same for every row): one plan and one
 * whitening for all rows, the weights of a conditional estimate (queries.ts).
 */
export function logKernelTerms(kde: Kde, q: Float64Array): Float64Array {
  checkQueries(kde, q);
  const p = planFor(kde, maskOf(q, 0, kde.d));
  const zq = new Float64Array(p.k);
  whitenQuery(p, q, 0, zq);
  const out = new Float64Array(kde.n);
  for (let i = 0; i < kde.n; i++) out[i] = logSumTerms(kde, p, q, 0, zq, null, i, i + 1);
  return out;
}

/**
 * log sum_i w_i K(...) over the training rows in [from, to) (w_i = 1 when logW is null), in
 * one pass with a running max M: sum holds sum exp(t_i - M), rescaled when a larger term
 * comes. A term below M - 60 is skipped: each is < e^-60 of the sum, all of them together
 * < n e^-60 (1e-20 at n = 1e6), far below the 1e-12 the direct sum promises.
 */
export function logSumTerms(kde: Kde, p: Plan, q: Float64Array, qOff: number, zq: Float64Array, logW: Float64Array | null, from = 0, to = kde.n): number {
  let M = -Infinity;
  let sum = 0;
  let cut = -Infinity;
  const { Z, k } = p;
  const gaussian = kde.kernel === 'gaussian';
  const plain = gaussian && p.catObs.length === 0;
  for (let i = from; i < to; i++) {
    let t: number;
    if (plain) {
      const zo = i * k;
      let s = 0;
      for (let a = 0; a < k; a++) {
        const e = zq[a]! - Z[zo + a]!;
        s += e * e;
      }
      t = -0.5 * s;
    } else t = termOf(kde, p, q, qOff, zq, i, gaussian);
    if (logW !== null) t += logW[i]!;
    if (t > cut) {
      if (t > M) {
        sum = sum * Math.exp(M - t) + 1;
        M = t;
        cut = M - SKIP;
      } else sum += Math.exp(t - M);
    }
  }
  return M === -Infinity ? -Infinity : M + Math.log(sum);
}

function termOf(kde: Kde, p: Plan, q: Float64Array, qOff: number, zq: Float64Array, i: number, gaussian: boolean): number {
  const { Z, k } = p;
  const zo = i * k;
  let t = 0;
  if (p.product) {
    for (let a = 0; a < k && t > -Infinity; a++) t += logKernel(kde.kernel, Math.abs(zq[a]! - Z[zo + a]!));
  } else if (k > 0) {
    let s = 0;
    for (let a = 0; a < k; a++) {
      const e = zq[a]! - Z[zo + a]!;
      s += e * e;
    }
    t = gaussian ? -0.5 * s : logKernel(kde.kernel, Math.sqrt(s));
  }
  for (let c = 0; c < p.catObs.length; c++) {
    const col = p.catObs[c]!;
    t += kde.x[i * kde.d + col] === q[qOff + col] ? p.catSame[c]! : p.catDiff[c]!;
  }
  return t;
}
