// Measures the rate behind runtime/gp/cost.ts's GP_STEP_RATE: one exact-GP L-BFGS step (the
// log marginal likelihood and its gradient, what bench/cases/gp-exact-*.mjs time) at n points,
// as n^3/3 (one Cholesky's multiply-adds) over its wall time, with the Cholesky threads started
// as a fit's first step starts them. The rate falls as n grows (the n x n matrices leave the
// caches), so the constant is read at the largest n the time limit is about.
// Usage: npm run build && node scripts/gp-step-rate.mjs [N ...] (default 1000 2000 4000).
import { exactLml } from '../dist/runtime/gp/exact.js';
import { lastInverseThreads } from '../dist/runtime/gp/linalg.js';
import { warmCholeskyThreads } from '../dist/runtime/kernels/cholesky.js';
import { GP_STEP_RATE } from '../dist/runtime/gp/cost.js';
import { gpData, gpModel } from '../bench/lib/gp.mjs';

const sizes = process.argv.slice(2).map(Number);
const workers = await warmCholeskyThreads();
console.log(`cholesky workers: ${workers}; GP_STEP_RATE now ${GP_STEP_RATE.toExponential(2)}`);
for (const n of sizes.length ? sizes : [1000, 2000, 4000]) {
  const data = gpData(n, 11, 2);
  const { core } = gpModel(2);
  const buf = new Float64Array(n * n);
  const repeats = n >= 4000 ? 3 : 5;
  exactLml(core, data, true, buf); // warm-up
  const ms = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    exactLml(core, data, true, buf);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  const rate = (n ** 3 / 3) / (med / 1000);
  console.log(`n = ${n}: step median ${med.toFixed(1)} ms (min ${ms[0].toFixed(1)}, ${lastInverseThreads()} threads), rate ${rate.toExponential(2)} (n^3/3 per second); estimate at GP_STEP_RATE ${((n ** 3 / 3 / GP_STEP_RATE) * 1000).toFixed(0)} ms`);
}
process.exit(0);
