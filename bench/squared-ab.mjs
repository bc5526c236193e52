// A/B of squared-circuit log p and gradients: the folded signed path (runtime/signed-evaluate-folded.ts)
// against the node-by-node reference (signed-evaluate.ts) and the monotone circuit of the same
// size on one thread, interleaved in one process (old, new, monotone, old, ...), CPU time
// (process.cpuUsage), medians. `node bench/squared-ab.mjs [n] [units] [repeats]` after `npm run build`.
import { compile } from '../dist/compiler/compile.js';
import { lowerModel } from '../dist/compiler/lower.js';
import { forward, setEvaluateThreads } from '../dist/runtime/evaluate.js';
import { useFoldedSigned } from '../dist/runtime/signed-evaluate-folded.js';
import { logPartition, squaredGradients, squaredLogDensity } from '../dist/runtime/squared/squared-model.js';
import { ModelState } from '../dist/runtime/state.js';
import { Rng } from '../dist/stdlib/random.js';
import { median } from './lib/stats.mjs';

const [n = 10000, units = 8, repeats = 9] = process.argv.slice(2).map(Number);
const V = 16;

function circuitState(K, squared, seed) {
  const vars = Array.from({ length: V }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));
  const body = `circuit { region random_tree(depth = 4) inputs Normal sum${squared ? ' real' : ''}(units = ${K}) }`;
  const { program } = compile(`model M = ${squared ? `square(${body})` : body}`, 'ab.pmix');
  const { graph } = lowerModel(program, 'M', vars, {});
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [name, v] of s.values) {
    const kind = s.param(name).param.kind;
    const last = s.param(name).shape.at(-1);
    for (let i = 0; i < v.length; i++) v[i] = kind === 'signed' || kind === 'identity' ? rng.normal() : kind === 'simplex' ? 1 / last : 0.5 + rng.uniformOpen();
  }
  return s;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const timed = (fn) => {
  const t = cpu();
  fn();
  return cpu() - t;
};

setEvaluateThreads(1);
const rng = new Rng(2);
const x = Float64Array.from({ length: n * V }, () => rng.normal());
const w = new Float64Array(n).fill(1);
const sq = circuitState(units, true, 1);
const mono = circuitState(units, false, 1);
const logZ = logPartition(sq);
const t = { ref: [], folded: [], mono: [], gradRef: [], gradFolded: [] };
for (let r = 0; r < repeats + 1; r++) {
  useFoldedSigned(false);
  const a = timed(() => squaredLogDensity(sq, x, n, logZ));
  const ga = timed(() => squaredGradients(sq, x, n, w));
  useFoldedSigned(true);
  const b = timed(() => squaredLogDensity(sq, x, n, logZ));
  const gb = timed(() => squaredGradients(sq, x, n, w));
  const c = timed(() => forward(mono, x, n));
  if (r === 0) continue; // warm-up
  t.ref.push(a);
  t.folded.push(b);
  t.mono.push(c);
  t.gradRef.push(ga);
  t.gradFolded.push(gb);
}
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, +median(v).toFixed(2)]));
console.log(JSON.stringify({ n, units, repeats, cpu_ms_medians: m, logp_folded_over_monotone: +(m.folded / m.mono).toFixed(2), logp_reference_over_monotone: +(m.ref / m.mono).toFixed(2), logp_speedup: +(m.ref / m.folded).toFixed(2), grad_speedup: +(m.gradRef / m.gradFolded).toFixed(2) }));
