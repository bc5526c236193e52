// KDE cases: 100k training rows, 10k queries, gaussian kernel, h = Scott's factor on
// standardized data (the same scalar h on both sides). 'tree': pmix's kd-tree against
// scikit-learn KernelDensity(atol, rtol).score_samples with the same tolerances; 'direct':
// pmix's exact log-space direct sum against a chunked numpy direct sum (BLAS distances +
// logsumexp). Only the query is timed (the tree build is reported in `extra`).
import { performance } from 'node:perf_hooks';
import { buildTree, createKde, logDensity, treeLogDensity } from '../../dist/families/kde/index.js';
import { Rng } from '../../dist/stdlib/random.js';
import { writeArray } from './files.mjs';
import { sample } from './stats.mjs';

/** Standardized rows from a 4-component mixture (so the tree has structure to exploit). */
function kdeData(n, d, seed) {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: d }, () => 4 * rng.normal()));
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(4)];
    for (let a = 0; a < d; a++) x[i * d + a] = c[a] + rng.normal();
  }
  for (let a = 0; a < d; a++) {
    let m = 0;
    let v = 0;
    for (let i = 0; i < n; i++) m += x[i * d + a] / n;
    for (let i = 0; i < n; i++) v += (x[i * d + a] - m) ** 2 / (n - 1);
    for (let i = 0; i < n; i++) x[i * d + a] = (x[i * d + a] - m) / Math.sqrt(v);
  }
  return x;
}

export function kdeCase({ name, mode, d }) {
  const tree = mode === 'tree';
  return {
    name,
    title: tree ? `KDE kd-tree, gaussian, D=${d}` : `KDE exact direct sum, gaussian, D=${d}`,
    peer: tree ? 'sklearn KernelDensity(atol, rtol).score_samples' : 'numpy chunked direct sum (BLAS distances + logsumexp)',
    peerScript: 'kde.py',
    needs: tree ? ['sklearn'] : ['scipy'],
    check: 'mean log density',
    params: (quick) => ({ n: quick ? 20_000 : 100_000, m: quick ? 2_000 : 10_000, d, mode, atol: 0, rtol: 1e-4, repeats: quick && tree ? 3 : 1, warmup: 0, seed: 21 }),
    async run(dir, p) {
      const all = kdeData(p.n + p.m, p.d, p.seed);
      const x = all.subarray(0, p.n * p.d);
      const q = all.subarray(p.n * p.d);
      const h = p.n ** (-1 / (p.d + 4));
      writeArray(dir, 'x.f64', x);
      writeArray(dir, 'q.f64', q);
      const kde = createKde({ data: x, d: p.d, bandwidth: h });
      let lp;
      let extra = { h };
      if (tree) {
        const t0 = performance.now();
        const t = buildTree(kde);
        extra.build_ms = performance.now() - t0;
        const samples = await sample(() => (lp = treeLogDensity(t, q, { atol: p.atol, rtol: p.rtol })), p.repeats, p.warmup);
        return { samples, check: lp.reduce((a, b) => a + b, 0) / p.m, kernel: 'families/kde/tree.ts (kd-tree, JS f64)', extra };
      }
      const samples = await sample(() => (lp = logDensity(kde, q)), p.repeats, p.warmup);
      return { samples, check: lp.reduce((a, b) => a + b, 0) / p.m, kernel: 'families/kde/direct.ts (log-space direct sum, wasm SIMD f64x2 blocks)', extra };
    },
  };
}
