// One sparse-GP case: the wall time of one training epoch (the second: the first includes
// the k-means initialization of the inducing points), and the ELBO per row after it.
import { performance } from 'node:perf_hooks';
import { fitSparseSteps } from '../../dist/runtime/gp/sparse.js';
import { gpData, gpModel } from './gp.mjs';

export function runtimeGpSparseEpoch(n, quickN) {
  return {
    name: n >= 1e6 ? 'gp-sparse-1m' : 'gp-sparse-100k',
    title: `sparse variational GP: one minibatch epoch, N = ${n}, M = 100, batch 256`,
    peer: 'none (scikit-learn has no sparse GP)',
    peerScript: 'gp_exact.py',
    needs: ['gpflow'],
    check: 'ELBO per row after 2 epochs',
    params: (quick) => ({ n: quick ? quickN : n, d: 2, m: 100, batch: 256, seed: 3 }),
    async run(_dir, p) {
      const data = gpData(p.n, p.seed, p.d);
      const { state } = gpModel(p.d, { m: p.m });
      const cpuMs = () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };
      // Epoch ends from the progress callback (the steps also yield between mini-batches).
      const marks = [];
      const t0 = performance.now();
      const steps = fitSparseSteps(state, data, { method: 'adam', lr: 0.01, epochs: 2, batch: p.batch, seed: 1, regCovar: 0, init: 'kmeans' }, (pr) => marks.push({ t: performance.now(), cpu: cpuMs(), ll: pr.meanLogLikelihood }));
      while (!steps.next().done);
      const epoch = marks[1].t - marks[0].t;
      return { samples: [epoch], check: marks[1].ll, kernel: 'runtime/gp/sparse (natural gradients + Adam)', extra: { epoch_cpu_ms: Math.round(marks[1].cpu - marks[0].cpu), first_epoch_with_init_ms: Math.round(marks[0].t - t0), rss_mb: Math.round(process.memoryUsage().rss / 1e6) } };
    },
  };
}
