// GMM EM per iteration: the pmix side shared by the gmm-em-* cases. Init (parameters from the
// true labels) is not timed; each EM iteration is timed as the gap between consecutive
// progress callbacks of fitEM (forward + backward + M-step + bookkeeping), tol = 0.
// threads: 'all' (PMIX_THREADS, else every core) or a number; the diagonal GMM's fused E-step
// (runtime/learners/gmm-fused.ts) uses them, the full-covariance path runs on one thread.
import { performance } from 'node:perf_hooks';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { setFusedGmmThreads } from '../../dist/runtime/learners/gmm-fused.js';
import { gmmLastThreads, gmmThreads, warmGmmThreads } from '../../dist/runtime/kernels/gmm-diag-engine.js';
import { ModelState } from '../../dist/runtime/state.js';
import { writeArray, writeJson } from './files.mjs';
import { mixtureData } from './gen.mjs';
import { gmmState, initFromLabels, REG_COVAR } from './gmm.mjs';

export function gmmEmCase({ name, variant, d, k, threads = 'all' }) {
  return {
    name,
    title: `GMM EM per iteration, ${variant} covariance, D=${d} K=${k}${threads === 'all' ? '' : `, pmix on ${threads} thread${threads > 1 ? 's' : ''}`}`,
    peer: `sklearn GaussianMixture(covariance_type='${variant}'), same init, tol=0, (t(1+R iters) - t(1 iter)) / R`,
    peerScript: 'gmm_em.py',
    needs: ['sklearn'],
    check: 'mean log-likelihood at the E-step of the last iteration (pmix trace vs sklearn lower_bound_)',
    params: (quick) => ({ n: quick ? 10_000 : 100_000, d, k, variant, iters: 5, repeats: 5, seed: 7, reg_covar: REG_COVAR, threads }),
    async run(dir, p) {
      const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
      const init = initFromLabels(gmmState(p.d, p.k, p.variant), x, p.n, p.d, p.k, labels);
      writeArray(dir, 'x.f64', x);
      writeJson(dir, 'init.json', init);
      // One fit of max(iters, repeats) + 1 iterations; the gaps give one sample per iteration.
      const s0 = gmmState(p.d, p.k, p.variant);
      initFromLabels(s0, x, p.n, p.d, p.k, labels);
      const state = new ModelState(s0.toGraph()); // every parameter 'given': init keeps them
      const want = p.threads === 'all' ? gmmThreads() : p.threads;
      setFusedGmmThreads(want);
      if (want > 1) await warmGmmThreads(want); // worker start-up is not part of an iteration
      const stamps = [];
      const cpu = [];
      let used = 0;
      const settings = { method: 'em', maxIter: Math.max(p.iters, p.repeats) + 1, tol: 0, restarts: 1, init: 'random', regCovar: p.reg_covar, seed: p.seed };
      const { result } = fitEM(state, x, p.n, new Float64Array(p.n).fill(1), settings, () => {
        stamps.push(performance.now());
        const c = process.cpuUsage();
        cpu.push((c.user + c.system) / 1000);
        used = Math.max(used, gmmLastThreads());
      });
      const fused = p.variant === 'diag' || p.variant === 'spherical';
      const threads = fused ? used : 1;
      return {
        samples: stamps.slice(1).map((t, i) => t - stamps[i]),
        check: result.trace[p.iters],
        threads,
        kernel: fused ? `gmm-fused.ts (wasm SIMD f64 fused E-step, ${threads} thread${threads > 1 ? 's' : ''})` : 'evaluate.ts+em.ts (wasm SIMD f64 kernels)',
        // CPU time of all threads per iteration (steadier than wall time on a shared machine).
        extra: { cpu_ms_per_iter: cpu.slice(1).map((t, i) => +(t - cpu[i]).toFixed(2)) },
      };
    },
  };
}
