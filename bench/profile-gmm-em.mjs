// Where one GMM EM iteration of pmix spends its time, phase by phase (not part of `npm run
// bench`): node bench/profile-gmm-em.mjs [diag|full] [N] [D] [K]. Calls the same runtime
// functions fitEM does: forward (leaf log-densities + mixing log-sum-exp), backward (flows
// and edge counts), the flows -> responsibilities product and the Normal M-step.
import { performance } from 'node:perf_hooks';
import { backward, forward } from '../dist/runtime/evaluate.js';
import { gather } from '../dist/runtime/state.js';
import { mixtureData } from './lib/gen.mjs';
import { gmmParts, gmmState, initFromLabels, REG_COVAR } from './lib/gmm.mjs';
import { median } from './lib/stats.mjs';

const [variant = 'diag', N = '100000', D = '16', K = '32'] = process.argv.slice(2);
const [n, d, k] = [Number(N), Number(D), Number(K)];
const { x, labels } = mixtureData(n, d, k, 7);
const state = gmmState(d, k, variant);
initFromLabels(state, x, n, d, k, labels);
const { layer } = gmmParts(state);
const input = state.nodes.find((nd) => nd.kind === 'input');
const xs = gather(x, n, d, input.scope);
const w = new Float64Array(n).fill(1);
const times = { 'leaf logDensity': [], 'mixing forward': [], backward: [], 'resp (flows x weights)': [], 'Normal mstep': [] };
for (let rep = 0; rep < 4; rep++) {
  let t = performance.now();
  const leaf = new Float64Array(n * k);
  layer.family.logDensity(layer.params, layer.ctx, xs, n, leaf);
  times['leaf logDensity'].push(performance.now() - t);
  t = performance.now();
  const vals = forward(state, x, n);
  times['mixing forward'].push(performance.now() - t - times['leaf logDensity'].at(-1));
  t = performance.now();
  const counts = new Map();
  const flows = backward(state, vals, n, w, counts);
  times.backward.push(performance.now() - t);
  t = performance.now();
  const f = flows.get(input.id);
  const resp = new Float64Array(f.length);
  for (let i = 0; i < n; i++) for (let u = 0; u < k; u++) resp[i * k + u] = f[i * k + u] * w[i];
  times['resp (flows x weights)'].push(performance.now() - t);
  t = performance.now();
  layer.family.mstep(xs, n, resp, layer.ctx, layer.params, { regCovar: REG_COVAR, fixed: new Set() });
  times['Normal mstep'].push(performance.now() - t);
}
let total = 0;
for (const [phase, ts] of Object.entries(times)) {
  const m = median(ts.slice(1));
  total += m;
  console.log(`${phase.padEnd(24)} ${m.toFixed(1).padStart(8)} ms`);
}
console.log(`${'total'.padEnd(24)} ${total.toFixed(1).padStart(8)} ms  (${variant}, N=${n} D=${d} K=${k}; median of 3 after a warm-up)`);
