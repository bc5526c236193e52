// Cholesky of a 2000 x 2000 SPD matrix, log-determinant and a solve A X = B for 16 right-hand
// sides (forward then back substitution), float64: kernels/cholesky vs numpy + scipy.
// pmix uses every core (worker threads, started before timing; PMIX_THREADS overrides); the
// peer's ratio is against numpy pinned to one BLAS thread, its "BLAS thr" column uses all.
import { cholesky, choleskyStats, logDetChol, solveLower, solveLowerT, warmCholeskyThreads } from '../../dist/runtime/kernels/cholesky.js';
import { writeArray } from '../lib/files.mjs';
import { spdMatrix, uniformArray } from '../lib/gen.mjs';
import { sample } from '../lib/stats.mjs';

export default {
  name: 'cholesky',
  title: 'Cholesky + triangular solves, float64',
  peer: 'numpy.linalg.cholesky + scipy.linalg.solve_triangular (lower, then transposed)',
  peerScript: 'cholesky.py',
  needs: [],
  check: 'log det A',
  params: (quick) => ({ n: quick ? 500 : 2000, k: 16, repeats: quick ? 5 : 7, seed: 5 }),
  async run(dir, p) {
    const workers = await warmCholeskyThreads();
    const a = spdMatrix(p.n, p.seed);
    const b = uniformArray(Float64Array, p.n * p.k, -1, 1, p.seed + 1);
    writeArray(dir, 'a.f64', a);
    writeArray(dir, 'b.f64', b);
    const l = new Float64Array(p.n * p.n);
    const x = new Float64Array(p.n * p.k);
    let logdet = NaN;
    let threads = 1;
    const parts = { cholesky: [], solves: [] };
    const samples = await sample(() => {
      l.set(a);
      const t0 = performance.now();
      const info = cholesky(l, p.n);
      const t1 = performance.now();
      threads = Math.max(threads, choleskyStats().threads);
      if (!info.ok) throw new Error(`not positive definite at ${info.pivot}`);
      logdet = logDetChol(l, p.n);
      x.set(b);
      solveLower(l, p.n, x, p.k);
      solveLowerT(l, p.n, x, p.k);
      parts.cholesky.push(t1 - t0);
      parts.solves.push(performance.now() - t1);
    }, p.repeats);
    const med = (xs) => [...xs].sort((u, v) => u - v)[xs.length >> 1];
    const { fma } = choleskyStats();
    return {
      samples,
      check: logdet,
      threads,
      kernel: `kernels/cholesky (wasm SIMD f64${fma ? ' FMA' : ''}, ${threads} thread${threads > 1 ? 's' : ''})`,
      extra: { cholesky_ms: Math.round(med(parts.cholesky.slice(1))), solves_ms: Math.round(med(parts.solves.slice(1))), workers },
    };
  },
};
