// One Vecchia-GP case: the log-likelihood and its gradient at fixed hyperparameters (the work
// of one L-BFGS step) on the sparse-GP cases' data (bench/lib/gp.mjs, seed 3, 2-D inputs) and
// kernel (1.0 * rbf(ls = [1, 2]) + white(0.1)), m neighbours. Timed: the evaluation; `extra`
// has the ordering + neighbour search (once per fit), the CPU time of the evaluation, and the
// log-likelihood alone. Compare with gp-sparse-1m / gp-sparse-100k (one epoch on the same data).
import { performance } from 'node:perf_hooks';
import { vecchiaLml } from '../../dist/runtime/gp/vecchia/likelihood.js';
import { vecchiaSetup } from '../../dist/runtime/gp/vecchia/ordering.js';
import { gpData, gpModel } from './gp.mjs';

export function gpVecchiaCase(n, quickN) {
  return {
    name: n >= 1e6 ? 'gp-vecchia-1m' : 'gp-vecchia-100k',
    title: `Vecchia GP: log-likelihood + gradient (one L-BFGS step), N = ${n}, m = 30, 2-D inputs`,
    peer: 'none (compare with gp-sparse-* one epoch on the same data)',
    peerScript: null,
    needs: [],
    check: 'Vecchia log-likelihood per row',
    params: (quick) => ({ n: quick ? quickN : n, d: 2, m: 30, seed: 3 }),
    async run(_dir, p) {
      const data = gpData(p.n, p.seed, p.d);
      const { core } = gpModel(p.d);
      const cpu = () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };
      let t = performance.now();
      const setup = vecchiaSetup(data, p.m);
      setup.neighbours(p.n - 1, new Int32Array(p.m)); // the neighbour sets are found on first use
      const setupMs = performance.now() - t;
      t = performance.now();
      const c0 = cpu();
      const r = vecchiaLml(core, setup, true);
      const evalMs = performance.now() - t;
      const evalCpuMs = cpu() - c0;
      t = performance.now();
      vecchiaLml(core, setup, false);
      const lmlOnlyMs = performance.now() - t;
      const grad = Object.fromEntries([...r.grad].map(([k, v]) => [k, Array.from(v)]));
      return {
        samples: [evalMs],
        check: r.lml / p.n,
        kernel: 'runtime/gp/vecchia (coordinate ordering, kd-tree neighbours, per-point (m+1)-square Cholesky, paired kernel blocks)',
        extra: { setup_ms: Math.round(setupMs), eval_cpu_ms: Math.round(evalCpuMs), lml_only_ms: Math.round(lmlOnlyMs), rss_mb: Math.round(process.memoryUsage().rss / 1e6), grad },
      };
    },
  };
}
