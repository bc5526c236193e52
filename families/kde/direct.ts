// Exact log density by the direct sum, in log space: per query, the training rows are taken
// in blocks; each block's log terms are summed as exp(t - block max) and merged into a running
// (max, sum), so a query far from every point (every term underflows) still gets its right
// finite log density, and a compact kernel with no point in reach gets -Infinity honestly.
// Memory: one block of terms and one whitened copy of the training rows per pattern of
// missing cells, whatever the numbers of training and query rows (1M x 1M included).
import { PmixError } from '../../runtime/errors.js';
import { logKernel } from './kernels.js';
import type { Kde } from './model.js';
import { maskOf, planFor, whitenQuery, type Plan } from './plan.js';

const BLOCK = 4096;

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
  const buf = new Float64Array(BLOCK);
  const zq = new Float64Array(kde.real.length);
  const logW = kde.w ? kde.w.map(Math.log) : null;
  for (let i = 0; i < m; i++) {
    const p = planFor(kde, maskOf(q, i * kde.d, kde.d));
    whitenQuery(p, q, i * kde.d, zq);
    out[i] = logSumTerms(kde, p, q, i * kde.d, zq, logW, buf) + p.logNorm + (logW ? 0 : -Math.log(kde.n));
  }
  return out;
}

/** log sum_i w_i K(...) over the training rows in [from, to) (w_i = 1 when logW is null). */
export function logSumTerms(kde: Kde, p: Plan, q: Float64Array, qOff: number, zq: Float64Array, logW: Float64Array | null, buf: Float64Array, from = 0, to = kde.n): number {
  let runMax = -Infinity;
  let runSum = 0;
  const { Z, k } = p;
  const gaussian = kde.kernel === 'gaussian';
  const plain = gaussian && p.catObs.length === 0;
  for (let start = from; start < to; start += BLOCK) {
    const end = Math.min(to, start + BLOCK);
    let bmax = -Infinity;
    for (let i = start; i < end; i++) {
      let t: number;
      const zo = i * k;
      if (plain) {
        let s = 0;
        for (let a = 0; a < k; a++) {
          const e = zq[a]! - Z[zo + a]!;
          s += e * e;
        }
        t = -0.5 * s;
      } else {
        t = termOf(kde, p, q, qOff, zq, i, gaussian);
      }
      if (logW) t += logW[i]!;
      buf[i - start] = t;
      if (t > bmax) bmax = t;
    }
    if (bmax === -Infinity) continue;
    let bsum = 0;
    for (let i = 0; i < end - start; i++) bsum += Math.exp(buf[i]! - bmax);
    if (bmax > runMax) {
      runSum = runSum * Math.exp(runMax - bmax) + bsum;
      runMax = bmax;
    } else runSum += bsum * Math.exp(bmax - runMax);
  }
  return runMax === -Infinity ? -Infinity : runMax + Math.log(runSum);
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
