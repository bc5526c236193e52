// Top-K sparse softmax gating: the cost of the E-step (gate, experts, responsibilities) falls
// with K, since only the K experts a point keeps are evaluated. 32 linear-Gaussian experts with
// 8 outputs and full noise over 4 inputs, 20,000 rows, random parameters; the same model with
// top = 1, 2, 4, 8, 16 and 32 (dense). After `npm run build`:
//   node bench/moe-topk.mjs [--quick]
// Prints the table docs/experts.md quotes. Timings are wall-clock on a shared machine.
import { performance } from 'node:perf_hooks';
import { compile } from '../dist/compiler/compile.js';
import { eStep, modelOf } from '../dist/families/moe/index.js';
import { ModelState } from '../dist/runtime/state.js';
import { Session } from '../dist/session/session.js';
import { Rng } from '../dist/stdlib/random.js';

const quick = process.argv.includes('--quick');
const out = (s) => process.stdout.write(`${s}\n`);
const K = 32;
const D = 4;
const P = 8;
const n = quick ? 2000 : 20000;
const rng = new Rng(1);
const X = Float64Array.from({ length: n * D }, () => rng.normal());
const Y = Float64Array.from({ length: n * P }, () => 3 * rng.normal());
const data = { n, X, Y, w: new Float64Array(n).fill(1) };
const ins = Array.from({ length: D }, (_, j) => `x${j}`).join(', ');
const outs = Array.from({ length: P }, (_, j) => `y${j}`).join(', ');

out('| top | E-step ms (median of 5) | vs dense |');
out('|---|---|---|');
let dense;
const rows = [];
for (const top of [1, 2, 4, 8, 16, 32]) {
  const { program } = compile(`model M = experts(${ins} -> ${outs}) { k = ${K}; gate = softmax(top = ${top}); expert = linear(noise = full) }`, 'bench.pmix');
  const s = new Session(program);
  s.lower('M', s.variables('M'));
  const state = new ModelState(s.lowered.get('M'));
  const r = new Rng(7);
  for (const [name, v] of state.values) {
    if (name === 'expert.noise') for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) v[k * P * P + p * P + p] = 1 + r.uniform();
    else for (let i = 0; i < v.length; i++) v[i] = r.normal();
  }
  const m = modelOf(state);
  const times = [];
  for (let rep = 0; rep < 5; rep++) {
    const t = performance.now();
    eStep(m, data);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const ms = times[2];
  if (top === K) dense = ms;
  rows.push([top, ms]);
}
for (const [top, ms] of rows) out(`| ${top} | ${ms.toFixed(0)} | ${(ms / dense).toFixed(2)} |`);
