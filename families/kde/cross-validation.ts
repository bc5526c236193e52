// Bandwidth by cross-validation: the mean held-out log-likelihood (k-fold, folds from a seeded
// permutation) over a grid of values, or maximized by golden-section search on log h. The
// value is a scalar h (H = h^2 I) or a factor f of the data-whitened H = f^2 Cov.
import { PmixError } from '../../runtime/errors.js';
import { Rng } from '../../stdlib/random.js';
import { logDensity } from './direct.js';
import { createKde, type Kde, type KdeSpec } from './model.js';

export interface CvOptions {
  /** 'h': H = v^2 I; 'whitened': H = v^2 Cov (default 'h') */
  readonly scale?: 'h' | 'whitened';
  /** the values to try (grid search) */
  readonly grid?: readonly number[];
  /** or: golden-section search on log v over [lo, hi] */
  readonly search?: { readonly lo: number; readonly hi: number; readonly iterations?: number };
  readonly folds?: number;
  readonly seed?: number;
  /** called after each value is scored */
  readonly onProgress?: (p: { done: number; total: number; value: number; score: number }) => void;
}

export interface CvResult {
  readonly best: number;
  readonly bestScore: number;
  /** every value tried with its mean held-out log-likelihood, in the order tried */
  readonly scores: readonly { readonly value: number; readonly score: number }[];
  /** fold of each row */
  readonly folds: Int32Array;
  /** the KDE refitted on all rows with the chosen value */
  readonly kde: Kde;
}

/** Fold of each row: a seeded permutation dealt round-robin into k folds. */
export function foldsOf(n: number, k: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const f = new Int32Array(n);
  perm.forEach((row, r) => (f[row] = r % k));
  return f;
}

/** Mean held-out log-likelihood of the KDE of `spec` with bandwidth value v (rows weighted when weights are given). */
export function cvScore(base: Kde, spec: KdeSpec, v: number, scale: 'h' | 'whitened', folds: Int32Array, k: number): number {
  let total = 0;
  let wsum = 0;
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < base.n; i++) (folds[i] === f ? test : train).push(i);
    if (!test.length) continue;
    const rows = (idx: number[]): Float64Array => {
      const out = new Float64Array(idx.length * base.d);
      idx.forEach((i, r) => out.set(base.x.subarray(i * base.d, i * base.d + base.d), r * base.d));
      return out;
    };
    const kde = createKde({
      ...spec,
      data: rows(train),
      d: base.d,
      columns: base.columns,
      weights: base.w ? train.map((i) => base.w![i]!) : undefined,
      bandwidth: scale === 'h' ? v : { whitened: v },
    });
    const lp = logDensity(kde, rows(test));
    test.forEach((i, r) => {
      const w = base.w ? base.w[i]! : 1;
      total += w * lp[r]!;
      wsum += w;
    });
  }
  return total / wsum;
}

/** Cross-validated bandwidth for the KDE described by spec (its own bandwidth is ignored). */
export function crossValidate(spec: KdeSpec, opts: CvOptions): CvResult {
  const base = createKde(spec);
  const k = opts.folds ?? 5;
  const scale = opts.scale ?? 'h';
  if (!(Number.isInteger(k) && k >= 2 && k <= base.n)) throw new PmixError(`kde: key 'folds': ${k} (an integer from 2 to the number of rows, ${base.n})`, 'kde');
  if (scale !== 'h' && scale !== 'whitened') throw new PmixError(`kde: key 'scale': '${String(scale)}' (expected 'h' or 'whitened')`, 'kde');
  const folds = foldsOf(base.n, k, opts.seed ?? 1);
  const scores: { value: number; score: number }[] = [];
  const positive = (v: number, where: string): void => {
    if (!(Number.isFinite(v) && v > 0)) throw new PmixError(`kde: ${where}: ${v} (bandwidth values must be finite and > 0)`, 'kde');
  };
  let total = 0;
  const score = (v: number): number => {
    const s = cvScore(base, spec, v, scale, folds, k);
    scores.push({ value: v, score: s });
    opts.onProgress?.({ done: scores.length, total, value: v, score: s });
    return s;
  };
  if (opts.grid) {
    if (!opts.grid.length) throw new PmixError("kde: key 'grid': empty", 'kde');
    opts.grid.forEach((v, i) => positive(v, `key 'grid', entry ${i + 1}`));
    total = opts.grid.length;
    for (const v of opts.grid) score(v);
  } else if (opts.search) {
    const { lo, hi } = opts.search;
    positive(lo, "key 'search.lo'");
    positive(hi, "key 'search.hi'");
    if (!(hi > lo)) throw new PmixError("kde: key 'search': hi must be greater than lo", 'kde');
    const iters = opts.search.iterations ?? 20;
    total = iters + 2;
    // golden-section on log v (maximizing)
    const g = (Math.sqrt(5) - 1) / 2;
    let a = Math.log(lo);
    let b = Math.log(hi);
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = score(Math.exp(c));
    let fd = score(Math.exp(d));
    for (let i = 0; i < iters; i++) {
      if (fc >= fd) {
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = score(Math.exp(c));
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = score(Math.exp(d));
      }
    }
  } else throw new PmixError("kde: cross-validation needs key 'grid' or key 'search'", 'kde');
  let best = scores[0]!;
  for (const s of scores) if (s.score > best.score) best = s;
  const kde = createKde({ ...spec, bandwidth: scale === 'h' ? best.value : { whitened: best.value } });
  return { best: best.value, bestScore: best.score, scores, folds, kde: { ...kde, bandwidthLabel: `cross-validated (${k}-fold): ${kde.bandwidthLabel}` } };
}
