// Where splitting the fused diagonal-GMM E-step across threads starts to pay (the break-even
// behind MIN_ROWS_PER_THREAD in runtime/kernels/gmm-diag-engine.ts):
//   node bench/gmm-threads-breakeven.mjs [D] [K]
// For N rows from 1,024 to 65,536 it times one E-step on 1 and on 2 threads, interleaved
// (1, 2, 1, 2, ...), and prints the wall-time medians and their ratio. Wall time: the point is
// the second core; run it on a quiet machine.
import { performance } from 'node:perf_hooks';
import { gmmDiagEStep, setMinRowsPerThread, warmGmmThreads } from '../dist/runtime/kernels/gmm-diag-engine.js';
import { mixtureData } from './lib/gen.mjs';
import { median } from './lib/stats.mjs';

const [D = '16', K = '32'] = process.argv.slice(2);
const [d, k] = [Number(D), Number(K)];
await warmGmmThreads(2);
setMinRowsPerThread(1);
const { x } = mixtureData(65536, d, k, 7);
const mean = new Float64Array(k * d);
for (let u = 0; u < k; u++) mean.set(x.subarray(u * 97 * d, u * 97 * d + d), u * d);
const prec = new Float64Array(k * d).fill(1);
const c = new Float64Array(k).fill(-Math.log(k) - 0.5 * d * Math.log(2 * Math.PI));
console.log(`rows   1 thread ms  2 threads ms  ratio  (D=${d} K=${k}, medians of 21 interleaved)`);
for (const n of [1024, 2048, 4096, 8192, 16384, 32768, 65536]) {
  const job = { owner: {}, x, rw: new Float64Array(n).fill(1), n, d, k, mean, prec, c };
  const t = { 1: [], 2: [] };
  for (let r = 0; r < 21; r++) {
    for (const th of [1, 2]) {
      const t0 = performance.now();
      gmmDiagEStep(job, th);
      t[th].push(performance.now() - t0);
    }
  }
  const [a, b] = [median(t[1].slice(1)), median(t[2].slice(1))];
  console.log(`${String(n).padStart(6)} ${a.toFixed(3).padStart(11)} ${b.toFixed(3).padStart(13)} ${(b / a).toFixed(2).padStart(6)}`);
}
setMinRowsPerThread();
