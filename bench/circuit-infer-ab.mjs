// A/B of circuit inference (log p of every row, digits circuit of bench/lib/circuit.mjs, 20118
// rows, 32 units): the log-space forward (`forward(...).get(root)`, what circuit-infer timed
// before) against the scaled-linear forward (`logLikelihood`, runtime/evaluate-linear.ts) with
// only the inputs' per-level tables ("linear") and with products and sums over discrete inputs
// tabulated ("tables", the default), interleaved in one process (old, linear, tables, old, ...). One thread: CPU time (process.cpuUsage);
// T > 1 threads: wall time (performance.now). Prints medians and the largest relative
// difference of the per-row log-likelihoods.
// `node bench/circuit-infer-ab.mjs [threads] [rounds]` after `npm run build`.
import { performance } from 'node:perf_hooks';
import { forward, logLikelihood, setEvaluateThreads, useLinearTables } from '../dist/runtime/evaluate.js';
import { circuitParams, digitsData, digitsState } from './lib/circuit.mjs';
import { median } from './lib/stats.mjs';

const [threads = 1, rounds = 7] = process.argv.slice(2).map(Number);
const p = circuitParams(false);
const { x, n, names } = digitsData(p.reps);
const state = digitsState(p, names);
setEvaluateThreads(threads);
const root = state.graph.root;

let vals;
let out;
const paths = {
  old: () => (vals = forward(state, x, n, vals)).get(root),
  linear: () => {
    useLinearTables(false);
    out = logLikelihood(state, x, n, out);
    useLinearTables(true);
    return out;
  },
  tables: () => (out = logLikelihood(state, x, n, out)),
};
const clock = () => (threads > 1 ? performance.now() : ((c) => (c.user + c.system) / 1000)(process.cpuUsage()));
const ref = paths.old().slice();
const diffs = {};
for (const k of ['linear', 'tables']) {
  const b = paths[k]();
  let maxRel = 0;
  for (let i = 0; i < n; i++) maxRel = Math.max(maxRel, Math.abs(ref[i] - b[i]) / Math.abs(ref[i]));
  diffs[k] = maxRel;
}
const times = { old: [], linear: [], tables: [] };
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(times)) {
    const t0 = clock();
    paths[k]();
    times[k].push(clock() - t0);
  }
}
const mo = median(times.old);
console.log(`${threads} thread(s), ${threads > 1 ? 'wall' : 'CPU'} ms, medians of ${rounds}: log-space ${mo.toFixed(1)}`);
for (const k of ['linear', 'tables']) console.log(`  ${k} ${median(times[k]).toFixed(1)} (${(median(times[k]) / mo).toFixed(3)}x), max rel diff vs log-space ${diffs[k].toExponential(2)}`);
for (const k of Object.keys(times)) console.log(`  ${k}: ${times[k].map((t) => t.toFixed(1)).join(' ')}`);
