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
  peer: 'the same pass with a fresh Cholesky inversion + log-det of every component after every point (O(K D^3) per point)',
  peerScript: null,
  needs: [],
  check: 'prequential mean log-likelihood of the pass (each row scored before it updates)',
  params: (quick) => ({ n: quick ? 5_000 : 20_000, d: 16, k: 32, maxK: 64, scale: 0.5, repeats: quick ? 3 : 5, baselineRepeats: 3, emIters: 4, seed: 7 }),
  rows: (p) => p.n,
  async run(_dir, p) {
    const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
    pass(x, Math.min(p.n, 2000), p.d, p.maxK, p.scale); // warm-up (JIT)
    /** Wall and CPU (user + system) ms of fn, repeated; the machine is shared, so CPU time is the steadier measure. */
    const timed = (fn, repeats) => {
      const wall = [];
      const cpu = [];
      let out;
      for (let r = 0; r < repeats; r++) {
        const c = process.cpuUsage();
        const t = performance.now();
        out = fn();
        wall.push(performance.now() - t);
        const d = process.cpuUsage(c);
        cpu.push((d.user + d.system) / 1000);
      }
      return { wall, cpu, out };
    };
    const mine = timed(() => pass(x, p.n, p.d, p.maxK, p.scale), p.repeats);
    const last = mine.out;
    // Baseline 1 (the O(K D^3)-per-point one, as IGMM without rank-one updates): after every
    // point, a fresh inversion and log-determinant (Cholesky) of every component.
    const observe = IncrementalMixture.prototype.observe;
    IncrementalMixture.prototype.observe = function (row, w) {
      observe.call(this, row, w);
      for (const c of this.components) c.refactor();
    };
    let all;
    try {
      all = timed(() => pass(x, p.n, p.d, p.maxK, p.scale), p.baselineRepeats);
    } finally {
      IncrementalMixture.prototype.observe = observe;
    }
    // Baseline 2: a fresh factorization only of the components a point moved (responsibility
    // above float64's resolution; with well-separated clusters, usually one per point).
    const update = Component.prototype.update;
    Component.prototype.update = function (w, r, d2) {
      update.call(this, w, r, d2);
      if ((w * r) / this.count > Number.EPSILON) this.refactor();
    };
    let moved;
    try {
      moved = timed(() => pass(x, p.n, p.d, p.maxK, p.scale), p.baselineRepeats);
    } finally {
      Component.prototype.update = update;
    }
    // Full-batch EM on the same rows: the time of one iteration (E-step + M-step), as the gmm-em cases time it.
    const s0 = gmmState(p.d, p.k, 'full');
    initFromLabels(s0, x, p.n, p.d, p.k, labels);
    const state = new ModelState(s0.toGraph());
    const stamps = [];
    const cpuStamps = [];
    const { result } = fitEM(state, x, p.n, new Float64Array(p.n).fill(1), { method: 'em', maxIter: p.emIters + 1, tol: 0, restarts: 1, init: 'random', regCovar: REG_COVAR, seed: 1 }, () => {
      stamps.push(performance.now());
      const c = process.cpuUsage();
      cpuStamps.push((c.user + c.system) / 1000);
    });
    const em = stamps.slice(1).map((t, i) => t - stamps[i]);
    const emCpu = cpuStamps.slice(1).map((t, i) => t - cpuStamps[i]);
    const med = (xs) => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const spread = (xs) => [Math.round(Math.min(...xs)), Math.round(med(xs)), Math.round(Math.max(...xs))];
    const samples = mine.wall;
    const base = all.out;
    return {
      samples,
      baseline: all.wall,
      check: last.mix.prequentialMean(),
      kernel: 'runtime/learners/incremental-gmm (JS f64, Sherman-Morrison + determinant lemma)',
      extra: {
        note: '[min, median, max] ms; cpu = user + system time of this single-threaded process',
        pass_wall_ms: spread(mine.wall),
        pass_cpu_ms: spread(mine.cpu),
        pass_rows_per_cpu_s: Math.round((p.n * 1000) / med(mine.cpu)),
        refactor_all_wall_ms: spread(all.wall),
        refactor_all_cpu_ms: spread(all.cpu),
        refactor_all_rows_per_cpu_s: Math.round((p.n * 1000) / med(all.cpu)),
        refactor_moved_wall_ms: spread(moved.wall),
        refactor_moved_cpu_ms: spread(moved.cpu),
        components_end: last.mix.components.length,
        components_mean_during_pass: Math.round(last.meanK * 10) / 10,
        baseline_components_end: base.mix.components.length,
        baseline_prequential: base.mix.prequentialMean(),
        report: last.mix.report,
        em_iteration_wall_ms: spread(em),
        em_iteration_cpu_ms: spread(emCpu),
        em_rows_per_cpu_s: Math.round((p.n * 1000) / med(emCpu)),
        em_mean_loglik: result.trace[result.trace.length - 1],
        pass_over_em_iteration_cpu: Math.round((med(mine.cpu) / med(emCpu)) * 100) / 100,
      },
    };
  },
};
