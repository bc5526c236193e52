// The incremental Gaussian mixture (runtime/learners/incremental-gmm/): points per second of
// one pass at D = 16 with up to K = 32 full-covariance components, against
//  - the same pass with a fresh O(D^3) inversion and log-determinant of every updated
//    component after every point (the O(K D^3)-per-point baseline, written here by
//    refactorizing after each rank-one update; the peer columns), and
//  - one iteration of full-batch EM (pmix, K = 32, full, initialized from the true labels) on
//    the same rows (extra.em_*).
// Data: bench/lib/gen.mjs's 32-cluster mixture (seeded). The pass: max_k = 64, scale = 0.5
// (clusters here are wide against the columns' spread: the default 0.2 over-splits them and
// prunes most; docs/fitting.md), otherwise the learner's defaults: novelty 0.999, v_min = D + 1,
// a_min = 20 x max_k, merging on; extra says how many components it kept and held on average.
import { performance } from 'node:perf_hooks';
import { Component, IncrementalMixture } from '../../dist/runtime/learners/incremental-gmm/index.js';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { ModelState } from '../../dist/runtime/state.js';
import { mixtureData } from '../lib/gen.mjs';
import { gmmState, initFromLabels, REG_COVAR } from '../lib/gmm.mjs';

function initVar(x, n, d, rows, scale) {
  const m = Math.min(n, rows);
  const out = [];
  for (let j = 0; j < d; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < m; i++) {
      s += x[i * d + j];
      s2 += x[i * d + j] ** 2;
    }
    const v = s2 / m - (s / m) ** 2;
    out.push(scale * scale * (v > 0 ? v : 1));
  }
  return out;
}

function pass(x, n, d, maxK, scale) {
  const mix = new IncrementalMixture({ D: d, full: true, novelty: 0.999, maxK, initVar: initVar(x, n, d, 1000, scale), vMin: d + 1, aMin: 20 * maxK, merge: true, drift: 1e-10, checkEvery: 1000 });
  let sumK = 0;
  for (let i = 0; i < n; i++) {
    mix.observe(x.subarray(i * d, (i + 1) * d), 1);
    sumK += mix.components.length;
  }
  mix.finish();
  return { mix, meanK: sumK / n };
}

export default {
  name: 'incremental-gmm',
  title: 'incremental GMM: one pass, D = 16, 32 clusters (max_k = 64), full covariances (rank-one updates vs fresh inversion per point)',
  peer: 'the same pass with a fresh Cholesky inversion + log-det of every updated component after every point (O(K D^3) per point)',
  peerScript: null,
  needs: [],
  check: 'prequential mean log-likelihood of the pass (each row scored before it updates)',
  params: (quick) => ({ n: quick ? 5_000 : 20_000, d: 16, k: 32, maxK: 64, scale: 0.5, repeats: quick ? 3 : 5, baselineRepeats: 3, emIters: 4, seed: 7 }),
  rows: (p) => p.n,
  async run(_dir, p) {
    const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
    pass(x, Math.min(p.n, 2000), p.d, p.maxK, p.scale); // warm-up (JIT)
    const samples = [];
    let last;
    for (let r = 0; r < p.repeats; r++) {
      const t = performance.now();
      last = pass(x, p.n, p.d, p.maxK, p.scale);
      samples.push(performance.now() - t);
    }
    // The baseline: every rank-one update followed by a fresh factorization of that component.
    const update = Component.prototype.update;
    Component.prototype.update = function (w, r, d2) {
      update.call(this, w, r, d2);
      if ((w * r) / this.count > Number.EPSILON) this.refactor();
    };
    const baseline = [];
    let base;
    try {
      for (let r = 0; r < p.baselineRepeats; r++) {
        const t = performance.now();
        base = pass(x, p.n, p.d, p.maxK, p.scale);
        baseline.push(performance.now() - t);
      }
    } finally {
      Component.prototype.update = update;
    }
    // Full-batch EM on the same rows: the time of one iteration (E-step + M-step), as the gmm-em cases time it.
    const s0 = gmmState(p.d, p.k, 'full');
    initFromLabels(s0, x, p.n, p.d, p.k, labels);
    const state = new ModelState(s0.toGraph());
    const stamps = [];
    const { result } = fitEM(state, x, p.n, new Float64Array(p.n).fill(1), { method: 'em', maxIter: p.emIters + 1, tol: 0, restarts: 1, init: 'random', regCovar: REG_COVAR, seed: 1 }, () => stamps.push(performance.now()));
    const em = stamps.slice(1).map((t, i) => t - stamps[i]);
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    return {
      samples,
      baseline,
      check: last.mix.prequentialMean(),
      kernel: 'runtime/learners/incremental-gmm (JS f64, Sherman-Morrison + determinant lemma)',
      extra: {
        pass_ms_min_max: [Math.round(Math.min(...samples)), Math.round(Math.max(...samples))],
        baseline_ms_min_max: [Math.round(Math.min(...baseline)), Math.round(Math.max(...baseline))],
        components_end: last.mix.components.length,
        components_mean_during_pass: Math.round(last.meanK * 10) / 10,
        baseline_components_end: base.mix.components.length,
        baseline_prequential: base.mix.prequentialMean(),
        report: last.mix.report,
        em_iteration_ms: em.map((v) => Math.round(v)),
        em_iteration_median_ms: Math.round(med(em)),
        em_rows_per_s: Math.round((p.n * 1000) / med(em)),
        em_mean_loglik: result.trace[result.trace.length - 1],
        pass_over_em_iteration: Math.round((med(samples) / med(em)) * 100) / 100,
      },
    };
  },
};
