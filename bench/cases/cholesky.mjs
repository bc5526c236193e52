// Cholesky of a 2000 x 2000 SPD matrix, log-determinant and a solve A X = B for 16 right-hand
// sides (forward then back substitution), float64: kernels/cholesky vs numpy + scipy.
import { cholesky, logDetChol, solveLower, solveLowerT } from '../../dist/runtime/kernels/cholesky.js';
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
  params: (quick) => ({ n: quick ? 500 : 2000, k: 16, repeats: 5, seed: 5 }),
  async run(dir, p) {
    const a = spdMatrix(p.n, p.seed);
    const b = uniformArray(Float64Array, p.n * p.k, -1, 1, p.seed + 1);
    writeArray(dir, 'a.f64', a);
    writeArray(dir, 'b.f64', b);
    const l = new Float64Array(p.n * p.n);
    const x = new Float64Array(p.n * p.k);
    let logdet = NaN;
    const samples = await sample(() => {
      l.set(a);
      const info = cholesky(l, p.n);
      if (!info.ok) throw new Error(`not positive definite at ${info.pivot}`);
      logdet = logDetChol(l, p.n);
      x.set(b);
      solveLower(l, p.n, x, p.k);
      solveLowerT(l, p.n, x, p.k);
    }, p.repeats);
    l.set(a);
    const t = performance.now();
    cholesky(l, p.n);
    const cholMs = performance.now() - t; // one run of the factorization alone
    return { samples, check: logdet, kernel: 'kernels/cholesky (wasm SIMD f64 update)', extra: { cholesky_only_ms: Math.round(cholMs) } };
  },
};
