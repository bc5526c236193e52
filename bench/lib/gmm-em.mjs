// GMM EM per iteration: the pmix side shared by the gmm-em-* cases. Init (parameters from the
// true labels) is not timed; each EM iteration is timed as the gap between consecutive
// progress callbacks of fitEM (forward + backward + M-step + bookkeeping), tol = 0.
import { performance } from 'node:perf_hooks';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { ModelState } from '../../dist/runtime/state.js';
import { writeArray, writeJson } from './files.mjs';
import { mixtureData } from './gen.mjs';
import { gmmState, initFromLabels, REG_COVAR } from './gmm.mjs';

export function gmmEmCase({ name, variant, d, k }) {
  return {
    name,
    title: `GMM EM per iteration, ${variant} covariance, D=${d} K=${k}`,
    peer: `sklearn GaussianMixture(covariance_type='${variant}'), same init, tol=0, (t(1+R iters) - t(1 iter)) / R`,
    peerScript: 'gmm_em.py',
    needs: ['sklearn'],
    check: 'mean log-likelihood at the E-step of the last iteration (pmix trace vs sklearn lower_bound_)',
    params: (quick) => ({ n: quick ? 10_000 : 100_000, d, k, variant, iters: 5, repeats: 5, seed: 7, reg_covar: REG_COVAR }),
    async run(dir, p) {
      const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
      const init = initFromLabels(gmmState(p.d, p.k, p.variant), x, p.n, p.d, p.k, labels);
      writeArray(dir, 'x.f64', x);
      writeJson(dir, 'init.json', init);
      // One fit of max(iters, repeats) + 1 iterations; the gaps give one sample per iteration.
      const s0 = gmmState(p.d, p.k, p.variant);
      initFromLabels(s0, x, p.n, p.d, p.k, labels);
      const state = new ModelState(s0.toGraph()); // every parameter 'given': init keeps them
      const stamps = [];
      const settings = { method: 'em', maxIter: Math.max(p.iters, p.repeats) + 1, tol: 0, restarts: 1, init: 'random', regCovar: p.reg_covar, seed: p.seed };
      const { result } = fitEM(state, x, p.n, new Float64Array(p.n).fill(1), settings, () => stamps.push(performance.now()));
      return {
        samples: stamps.slice(1).map((t, i) => t - stamps[i]),
        check: result.trace[p.iters],
        kernel: 'evaluate.ts+em.ts (JS f64)',
      };
    },
  };
}
