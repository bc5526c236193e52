// Queries on a KDE: marginals (exact: a gaussian keeps the sub-matrix of H, a product kernel
// drops columns), conditionals (a weighted kernel estimate: each row weighted by its kernel
// at the given cells; a gaussian's centres also shift by H_yx H_xx^-1 (x - x_i) and its
// bandwidth becomes the Schur complement), sampling (a row by weight plus kernel noise),
// mean and variance, and interval probabilities (closed form through each kernel's CDF).
import { PmixError } from '../../runtime/errors.js';
import { Rng } from '../../stdlib/random.js';
import { logKernelTerms } from './direct.js';
import { kernelCdf1, kernelSecondMoment, sampleKernel } from './kernels.js';
import { cholesky, spdInverse, subMatrix } from './linalg.js';
import type { Kde } from './model.js';

const fail = (msg: string): never => {
  throw new PmixError(`kde: ${msg}`, 'kde');
};

const isProductLike = (k: Kde): boolean => k.form === 'product' || k.kernel === 'gaussian';

function checkColumns(kde: Kde, cols: readonly number[], key: string): void {
  const seen = new Set<number>();
  for (const c of cols) {
    if (!(Number.isInteger(c) && c >= 0 && c < kde.d)) fail(`key '${key}': column ${c} is not one of 0..${kde.d - 1}`);
    if (seen.has(c)) fail(`key '${key}': column '${kde.columns[c]!.name}' given twice`);
    seen.add(c);
  }
}

/** The KDE of the given columns (in that order): exact for product kernels and the gaussian. */
export function marginal(kde: Kde, keep: readonly number[]): Kde {
  checkColumns(kde, keep, 'columns');
  if (!keep.length) fail("key 'columns': a marginal needs at least one column");
  const dropsReal = kde.real.length > keep.filter((c) => kde.columns[c]!.type === 'real').length;
  if (dropsReal && !isProductLike(kde)) fail(`the marginal of a radial '${kde.kernel}' kernel is not a KDE of the same kernel; use form 'product' or the gaussian kernel`);
  const d = keep.length;
  const x = new Float64Array(kde.n * d);
  for (let i = 0; i < kde.n; i++) for (let a = 0; a < d; a++) x[i * d + a] = kde.x[i * kde.d + keep[a]!]!;
  const columns = keep.map((c) => kde.columns[c]!);
  const real = Int32Array.from(columns.flatMap((c, j) => (c.type === 'real' ? [j] : [])));
  const cat = Int32Array.from(columns.flatMap((c, j) => (c.type === 'categorical' ? [j] : [])));
  const realPos = keep.filter((c) => kde.columns[c]!.type === 'real').map((c) => kde.real.indexOf(c));
  const catPos = keep.filter((c) => kde.columns[c]!.type === 'categorical').map((c) => kde.cat.indexOf(c));
  return {
    ...kde,
    d,
    x,
    columns,
    real,
    cat,
    H: subMatrix(kde.H, kde.real.length, realPos),
    lambda: Float64Array.from(catPos, (p) => kde.lambda[p]!),
    bandwidthLabel: `${kde.bandwidthLabel} (marginal)`,
  };
}

/**
 * The KDE of the other columns given values of `given` (column -> value): rows weighted by
 * w_i K_given(x - x_i), normalized. Throws when no row has weight (the given cells are out of
 * every compact kernel's reach).
 */
export function conditional(kde: Kde, given: ReadonlyMap<number, number>): Kde {
  const gcols = [...given.keys()];
  checkColumns(kde, gcols, 'given');
  const rest = [...Array(kde.d).keys()].filter((c) => !given.has(c));
  if (!rest.length) fail("key 'given': every column is given; nothing is left to condition");
  if (!isProductLike(kde)) fail(`conditionals of a radial '${kde.kernel}' kernel are not KDEs of the same kernel; use form 'product' or the gaussian kernel`);
  // weights: the marginal kernel at the given cells, row by row
  const q = new Float64Array(kde.d).fill(NaN);
  for (const [c, v] of given) q[c] = v;
  const m = marginal(kde, gcols);
  const one = new Float64Array(m.d);
  for (const [a, c] of gcols.entries()) one[a] = q[c]!;
  // one weighted estimate: every row's kernel term at the given cells, with one plan for all rows
  // (the common normalizer cancels when the weights are normalized)
  const lw = logKernelTerms(m, one);
  if (kde.w) for (let i = 0; i < kde.n; i++) lw[i] = lw[i]! + Math.log(kde.w[i]!);
  let mx = -Infinity;
  for (const v of lw) if (v > mx) mx = v;
  if (mx === -Infinity) fail('the given cells have density 0 (outside every kernel of a compact kernel): the conditional is undefined');
  const w = lw.map((v) => Math.exp(v - mx));
  const sw = w.reduce((s, v) => s + v, 0);
  for (let i = 0; i < w.length; i++) w[i]! /= sw;
  const out = marginal(kde, rest);
  // a gaussian with correlated H: centres shift along the regression of y on x, H -> Schur complement
  const dr = kde.real.length;
  const gReal = gcols.filter((c) => kde.columns[c]!.type === 'real').map((c) => kde.real.indexOf(c));
  const rReal = rest.filter((c) => kde.columns[c]!.type === 'real').map((c) => kde.real.indexOf(c));
  if (kde.kernel === 'gaussian' && gReal.length && rReal.length) {
    const Hxx = subMatrix(kde.H, dr, gReal);
    const inv = spdInverse(Hxx, gReal.length);
    if (!inv) fail('the bandwidth matrix is not positive definite');
    const g = gReal.length;
    const r = rReal.length;
    // B = H_yx H_xx^-1 (r x g)
    const B = new Float64Array(r * g);
    for (let a = 0; a < r; a++)
      for (let b = 0; b < g; b++) {
        let s = 0;
        for (let c = 0; c < g; c++) s += kde.H[rReal[a]! * dr + gReal[c]!]! * inv![c * g + b]!;
        B[a * g + b] = s;
      }
    const x = Float64Array.from(out.x);
    const restPos = rest.map((c) => (kde.columns[c]!.type === 'real' ? out.real.indexOf(rest.indexOf(c)) : -1));
    for (let i = 0; i < kde.n; i++)
      rest.forEach((c, j) => {
        const ar = restPos[j]!;
        if (ar < 0) return;
        let s = 0;
        for (let b = 0; b < g; b++) s += B[ar * g + b]! * (q[kde.real[gReal[b]!]!]! - kde.x[i * kde.d + kde.real[gReal[b]!]!]!);
        x[i * out.d + j] = out.x[i * out.d + j]! + s;
      });
    const H = new Float64Array(r * r);
    for (let a = 0; a < r; a++)
      for (let b = 0; b < r; b++) {
        let s = kde.H[rReal[a]! * dr + rReal[b]!]!;
        for (let c = 0; c < g; c++) s -= B[a * g + c]! * kde.H[gReal[c]! * dr + rReal[b]!]!;
        H[a * r + b] = s;
      }
    for (let a = 0; a < r; a++) for (let b = 0; b < a; b++) H[a * r + b] = H[b * r + a] = 0.5 * (H[a * r + b]! + H[b * r + a]!);
    if (!cholesky(H, r)) fail('the conditional bandwidth is not positive definite');
    return { ...out, x, w, H, bandwidthLabel: `${kde.bandwidthLabel} (conditional)` };
  }
  return { ...out, w, bandwidthLabel: `${kde.bandwidthLabel} (conditional)` };
}

/** count rows drawn from the KDE (row-major count x d), seeded. */
export function sample(kde: Kde, count: number, seed: number): Float64Array {
  if (!(Number.isInteger(count) && count >= 0)) fail(`key 'count': ${count} (a non-negative integer)`);
  const rng = new Rng(seed);
  const { d, n } = kde;
  const dr = kde.real.length;
  const out = new Float64Array(count * d);
  const L = cholesky(kde.H, dr);
  if (!L) fail('the bandwidth matrix is not positive definite');
  // cumulative weights for picking a row
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cum[i] = acc += kde.w ? kde.w[i]! : 1 / n;
  const u = new Float64Array(dr);
  for (let s = 0; s < count; s++) {
    const r = rng.uniform() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    const i = lo;
    for (let j = 0; j < d; j++) out[s * d + j] = kde.x[i * d + j]!;
    if (dr) {
      if (kde.form === 'product' && kde.kernel !== 'gaussian') for (let a = 0; a < dr; a++) sampleKernel(kde.kernel, 1, rng, u, a);
      else sampleKernel(kde.kernel, dr, rng, u, 0);
      for (let a = 0; a < dr; a++) {
        let v = 0;
        for (let b = 0; b <= a; b++) v += L![a * dr + b]! * u[b]!;
        out[s * d + kde.real[a]!]! += v;
      }
    }
    kde.cat.forEach((c, a) => {
      // Aitchison-Aitken: keep the level with probability 1 - lambda, else one of the others uniformly
      if (rng.uniform() < kde.lambda[a]!) {
        const levels = kde.columns[c]!.levels!;
        const cur = out[s * d + c]!;
        const other = rng.int(levels - 1);
        out[s * d + c] = other >= cur ? other + 1 : other;
      }
    });
  }
  return out;
}

/** Mean and variance of each real column (NaN for categorical columns). */
export function moments(kde: Kde): { mean: Float64Array; variance: Float64Array } {
  const { d, n } = kde;
  const dr = kde.real.length;
  const mean = new Float64Array(d).fill(NaN);
  const variance = new Float64Array(d).fill(NaN);
  const per = kde.form === 'product' && kde.kernel !== 'gaussian' ? kernelSecondMoment(kde.kernel, 1) : dr ? kernelSecondMoment(kde.kernel, dr) / dr : 0;
  kde.real.forEach((c, a) => {
    let m = 0;
    for (let i = 0; i < n; i++) m += (kde.w ? kde.w[i]! : 1 / n) * kde.x[i * d + c]!;
    let v = 0;
    for (let i = 0; i < n; i++) v += (kde.w ? kde.w[i]! : 1 / n) * (kde.x[i * d + c]! - m) ** 2;
    mean[c] = m;
    variance[c] = v + per * kde.H[a * dr + a]!;
  });
  return { mean, variance };
}

/**
 * P(lo_j < X_j <= hi_j for each column j): lo/hi per column, +-Infinity allowed, NaN for an
 * unconstrained column; categorical columns take a level as [lo, hi] inclusive. Closed form for
 * product kernels (and a gaussian with diagonal H), or one constrained real column.
 */
export function intervalProbability(kde: Kde, lo: readonly number[], hi: readonly number[]): number {
  if (lo.length !== kde.d || hi.length !== kde.d) fail(`intervals need ${kde.d} lower and upper bounds`);
  const dr = kde.real.length;
  const constrained = kde.real.filter((c) => !(Number.isNaN(lo[c]!) && Number.isNaN(hi[c]!)));
  for (let j = 0; j < kde.d; j++) if (lo[j]! > hi[j]!) fail(`column '${kde.columns[j]!.name}': lower bound ${lo[j]} > upper bound ${hi[j]}`);
  let diag = true;
  for (const a of constrained) for (const b of constrained) if (a !== b && kde.H[kde.real.indexOf(a) * dr + kde.real.indexOf(b)] !== 0) diag = false;
  const product = kde.form === 'product' || (kde.kernel === 'gaussian' && diag) || constrained.length <= 1;
  if (!product || (constrained.length > 1 && kde.kernel !== 'gaussian' && kde.form !== 'product')) fail(`interval probabilities over several correlated real columns have no closed form for this KDE; use a product kernel or a diagonal bandwidth`);
  if (constrained.length === 1 && kde.form === 'radial' && kde.kernel !== 'gaussian' && dr > 1) fail(`the 1-D marginal of a radial '${kde.kernel}' kernel is not that kernel; use form 'product' or the gaussian kernel`);
  let total = 0;
  for (let i = 0; i < kde.n; i++) {
    let p = kde.w ? kde.w[i]! : 1 / kde.n;
    for (const c of constrained) {
      const a = kde.real.indexOf(c);
      const h = Math.sqrt(kde.H[a * dr + a]!);
      const x = kde.x[i * kde.d + c]!;
      const F = (v: number): number => (Number.isNaN(v) || v === Infinity ? 1 : v === -Infinity ? 0 : kernelCdf1(kde.kernel, (v - x) / h));
      p *= F(hi[c]!) - (Number.isNaN(lo[c]!) ? 0 : F(lo[c]!));
    }
    kde.cat.forEach((c, a) => {
      if (Number.isNaN(lo[c]!) && Number.isNaN(hi[c]!)) return;
      const levels = kde.columns[c]!.levels!;
      const from = Math.max(0, Number.isNaN(lo[c]!) ? 0 : Math.ceil(lo[c]!));
      const to = Math.min(levels - 1, Number.isNaN(hi[c]!) ? levels - 1 : Math.floor(hi[c]!));
      const x = kde.x[i * kde.d + c]!;
      const count = Math.max(0, to - from + 1);
      const inside = x >= from && x <= to;
      const lam = kde.lambda[a]!;
      p *= (inside ? 1 - lam : 0) + (lam / (levels - 1)) * (count - (inside ? 1 : 0));
    });
    total += p;
  }
  return total;
}
