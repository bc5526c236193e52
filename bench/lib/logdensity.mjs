// Log-density throughput of a GMM (parameters from the data's labels) on many points:
// runtime/evaluate.ts logDensityRows vs sklearn score_samples.
import { logDensityRows } from '../../dist/runtime/evaluate.js';
import { writeArray, writeJson } from './files.mjs';
import { mixtureData } from './gen.mjs';
import { gmmState, initFromLabels } from './gmm.mjs';
import { sample } from './stats.mjs';

export function logDensityCase({ name, variant, d, k }) {
  return {
    name,
    title: `GMM log-density, ${variant} covariance, D=${d} K=${k}`,
    peer: `sklearn GaussianMixture(covariance_type='${variant}').score_samples`,
    peerScript: 'logdensity.py',
    needs: ['sklearn'],
    check: 'mean log-density',
    params: (quick) => ({ n: quick ? 100_000 : 1_000_000, d, k, variant, repeats: 5, warmup: 0, seed: 9 }),
    async run(dir, p) {
      const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
      const state = gmmState(p.d, p.k, p.variant);
      writeJson(dir, 'init.json', initFromLabels(state, x, p.n, p.d, p.k, labels));
      writeArray(dir, 'x.f64', x);
      let lp;
      // No warm-up run: at 1M rows the JIT is warm within the first (keeps the bench < 10 min).
      const samples = await sample(() => (lp = logDensityRows(state, x, p.n)), p.repeats, p.warmup);
      return { samples, check: lp.reduce((a, b) => a + b, 0) / p.n, kernel: 'evaluate.ts logDensityRows (JS f64)' };
    },
  };
}
