// Sufficient statistics of the Normal leaf's M-step, for streaming EM (LeafFamily.newStats):
// per unit the expected count, the mean and the scatter around it (the full D x D matrix for
// full/tied, the diagonal for diag/spherical), batch by batch. Each batch's statistics come
// from the same kernels (or reference loops) as normalMstepFast, rows with missing cells
// completed by their E-step under `prev`; batches are merged by the pairwise update of Chan et
// al. (counts add, means pool, scatters add plus n_a n_b / n (mean_a - mean_b)^2), which keeps
// the scatter accurate however many batches there are. finalize() assembles the parameters as
// the M-step does (reg_covar on the diagonal, a fixed mean, empty units keeping prev's values).
import type { EMOptions, LayerContext, LayerParams, LeafStats } from './types.js';
import { covOf, errorUnit, meanOf } from './gaussian.js';
import { assemble, EMPTY, emCompleter, patternsOf, unitStats, type UnitStats } from './normal-fit.js';
import { merge, pick, unitPart } from './normal-fast.js';
import { isDiagonal } from './normal-ref.js';
import { normalKernels } from './normal-kernels.js';

export function normalStats(ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats {
  const D = ctx.dims;
  const K = ctx.units;
  const full = !isDiagonal(ctx);
  const acc: (UnitStats | null)[] = new Array<UnitStats | null>(K).fill(null);
  const add = (u: number, part: UnitStats): void => {
    if (!(part.nk > 0)) return;
    const cur = acc[u];
    acc[u] = cur ? merge([cur, part], D, full, undefined) : { nk: part.nk, mean: part.mean.slice(), scatter: part.scatter.slice() };
  };
  /** Statistics of rows `idx` (all rows when undefined) by the reference loops, E-step for missing cells. */
  const reference = (x: Float64Array, n: number, resp: Float64Array): void => {
    const pats = patternsOf(x, n, D);
    const buf = new Float64Array(n * D);
    for (let u = 0; u < K; u++) {
      let nk = 0;
      for (let i = 0; i < n; i++) if (resp[i * K + u]! > 0) nk += resp[i * K + u]!;
      if (!(nk > 0)) continue;
      add(u, unitStats(n, D, resp, K, u, emCompleter(x, D, pats, meanOf(prev, ctx, u), covOf(prev, ctx, u), errorUnit(ctx, u)), undefined, full, buf));
    }
  };
  return {
    accumulate(x, n, resp) {
      if (n === 0) return;
      const k = normalKernels();
      const fast = k?.stats({ x, dims: D, count: n }, resp, K, full) ?? null;
      if (fast === null) return reference(x, n, resp);
      for (let u = 0; u < K; u++) if (fast.nk[u]! > 0) add(u, unitPart(fast, u, D, full));
      const nm = fast.skipped.length;
      if (nm > 0) reference(pick(x, D, fast.skipped), nm, pick(resp, K, fast.skipped));
    },
    addModel(u, weight) {
      if (!(weight > 0)) return;
      // The scatter is D x D for every variant (the diagonal variants read its diagonal).
      const scatter = covOf(prev, ctx, u).map((v) => v * weight);
      add(u, { nk: weight, mean: meanOf(prev, ctx, u).slice(), scatter });
    },
    scale(c) {
      // Counts and scatters are sums over rows; the means are ratios and stay.
      for (let u = 0; u < K; u++) {
        const s = acc[u];
        if (!s) continue;
        const scatter = s.scatter.slice();
        for (let i = 0; i < scatter.length; i++) scatter[i] *= c;
        acc[u] = { nk: s.nk * c, mean: s.mean, scatter };
      }
    },
    finalize() {
      const fixMean = opts.fixed.has('mean');
      const stats = acc.map((s, u) => {
        if (!s || !(s.nk >= EMPTY)) return null;
        return fixMean ? merge([s], D, full, meanOf(prev, ctx, u)) : s;
      });
      return assemble(stats, ctx, opts.regCovar, prev, opts.fixed.has('cov') || opts.fixed.has('var'));
    },
  };
}
