// One exact-GP case: the log marginal likelihood and its gradient at fixed hyperparameters,
// what every L-BFGS step of a fit evaluates, for N points (scikit-learn:
// GaussianProcessRegressor.log_marginal_likelihood(theta, eval_gradient=True)).
import { exactLml } from '../../dist/runtime/gp/exact.js';
import { lastInverseThreads } from '../../dist/runtime/gp/linalg.js';
import { warmCholeskyThreads } from '../../dist/runtime/kernels/cholesky.js';
import { writeArray } from './files.mjs';
import { gpData, gpModel } from './gp.mjs';
import { sample } from './stats.mjs';

export function gpExactCase(n, quickN) {
  return {
    name: `gp-exact-${n}`,
    title: `exact GP: log marginal likelihood + gradient (one L-BFGS step), float64, N = ${n}`,
    peer: 'sklearn GaussianProcessRegressor(1.0 * RBF([1, 2]) + WhiteKernel(0.1)).log_marginal_likelihood(theta, eval_gradient=True)',
    peerScript: 'gp_exact.py',
    needs: ['sklearn'],
    check: 'log marginal likelihood',
    params: (quick) => {
      const N = quick ? quickN : n;
      return { n: N, d: 2, seed: 11, repeats: N >= 4000 ? 1 : N >= 1500 ? 3 : 5, warmup: N >= 4000 ? 0 : 1 };
    },
    async run(dir, p) {
      const data = gpData(p.n, p.seed, p.d);
      writeArray(dir, 'x.f64', data.x);
      writeArray(dir, 'y.f64', data.y);
      // The factor and the inverse share their work with worker threads (every core; PMIX_THREADS
      // overrides), started before timing as a fit's first step would have started them.
      const workers = await warmCholeskyThreads();
      const { core } = gpModel(p.d);
      const buf = new Float64Array(p.n * p.n);
      let lml = NaN;
      let threads = 1;
      const samples = await sample(() => {
        lml = exactLml(core, data, true, buf).lml;
        threads = Math.max(threads, lastInverseThreads());
      }, p.repeats, p.warmup);
      return {
        samples,
        check: lml,
        threads,
        kernel: `runtime/gp/exact (kernels/cholesky, K^-1 lower triangle by wasm solves on the factor in place, fused kernel + gradient pass; ${threads} thread${threads > 1 ? 's' : ''})`,
        extra: { workers },
      };
    },
  };
}
