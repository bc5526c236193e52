// Squared circuits: the cost of log p(x) of square(c) against the monotone circuit of the same
// structure and size, and of the partition function Z (the integral of c * c, once per
// parameter update) as the circuit grows. c: circuit { region random_tree inputs Normal
// sum real(units = K) } over 16 real variables with seeded random parameters (signed weights
// N(0, 1)); the monotone one the same with simplex weights. Timed: log p of n rows, squared
// (signed log space, folded: runtime/signed-evaluate-folded.ts, Z given) vs monotone
// (runtime/evaluate.ts), both on one thread (the monotone pass would split rows over worker
// threads from n x units = 2M cells; extra.monotone_default_threads_ms is that); the "peer"
// columns are the monotone circuit, so ratio = squared / monotone. extra: the node-by-node
// reference's time (signed-evaluate.ts), Z's time and the units of c and of c * c for K = 4 ... 32.
import { performance } from 'node:perf_hooks';
import { compile } from '../../dist/compiler/compile.js';
import { lowerModel } from '../../dist/compiler/lower.js';
import { describeSquared } from '../../dist/circuits/squared/describe.js';
import { forward, lastEvaluateThreads, setEvaluateThreads } from '../../dist/runtime/evaluate.js';
import { useFoldedSigned } from '../../dist/runtime/signed-evaluate-folded.js';
import { logPartition, squaredLogDensity } from '../../dist/runtime/squared/squared-model.js';
import { ModelState } from '../../dist/runtime/state.js';
import { Rng } from '../../dist/stdlib/random.js';
import { median, peakMb } from '../lib/stats.mjs';

const V = 16;

function circuitState(units, squared, seed) {
  const vars = Array.from({ length: V }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));
  const body = `circuit { region random_tree(depth = 4) inputs Normal sum${squared ? ' real' : ''}(units = ${units}) }`;
  const { program, diagnostics } = compile(`model M = ${squared ? `square(${body})` : body}`, 'bench-squared.pmix');
  if (!program) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const { graph, diagnostics: d2 } = lowerModel(program, 'M', vars, {});
  if (!graph) throw new Error(d2.map((d) => d.message).join('; '));
  const s = new ModelState(graph);
  const rng = new Rng(seed);
  for (const [name, v] of s.values) {
    const kind = s.param(name).param.kind;
    const last = s.param(name).shape.at(-1);
    for (let i = 0; i < v.length; i++) {
      if (kind === 'signed') v[i] = rng.normal();
      else if (kind === 'simplex') v[i] = 1 / last;
      else if (kind === 'identity') v[i] = rng.normal();
      else v[i] = 0.5 + rng.uniformOpen(); // variances
    }
  }
  return s;
}

function time(fn, repeats) {
  fn();
  const out = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

export default {
  name: 'squared-z',
  title: 'squared circuit log p vs the monotone circuit of the same size (random_tree depth 4, 16 reals, K units), and Z as K grows',
  peer: 'pmix itself: the monotone circuit of the same structure (runtime/evaluate.ts)',
  peerScript: null,
  needs: [],
  check: 'mean log p of the rows under square(c) (extra: Z time and sizes per K)',
  rows: (p) => p.n,
  params: (quick) => ({ n: quick ? 1000 : 10000, units: 8, grow: quick ? [4, 8] : [4, 8, 16, 32], repeats: quick ? 3 : 5, seed: 1 }),
  async run(_dir, p) {
    const rng = new Rng(p.seed + 1);
    const x = Float64Array.from({ length: p.n * V }, () => rng.normal());
    const sq = circuitState(p.units, true, p.seed);
    const mono = circuitState(p.units, false, p.seed);
    const logZ = logPartition(sq);
    let check = 0;
    for (const v of squaredLogDensity(sq, x, p.n, logZ)) check += v / p.n;
    const monoThreadsMs = median(time(() => forward(mono, x, p.n), p.repeats));
    const monoThreads = lastEvaluateThreads();
    setEvaluateThreads(1);
    useFoldedSigned(false);
    const referenceMs = median(time(() => squaredLogDensity(sq, x, p.n, logZ), p.repeats));
    useFoldedSigned(true);
    const squaredMs = time(() => squaredLogDensity(sq, x, p.n, logZ), p.repeats);
    const monoMs = time(() => forward(mono, x, p.n), p.repeats);
    const growth = p.grow.map((K) => {
      const s = circuitState(K, true, p.seed);
      const m = circuitState(K, false, p.seed);
      const r = describeSquared(s.graph);
      const rows = Math.min(p.n, 2000);
      const xs = x.subarray(0, rows * V);
      const lz = logPartition(s);
      return {
        K,
        units_c: r.units,
        units_cc: r.productUnits,
        z_ms: +median(time(() => logPartition(s), Math.max(11, p.repeats))).toFixed(3),
        logp_squared_ms_per_1k_rows: +((median(time(() => squaredLogDensity(s, xs, rows, lz), p.repeats)) * 1000) / rows).toFixed(3),
        logp_monotone_ms_per_1k_rows: +((median(time(() => forward(m, xs, rows), p.repeats)) * 1000) / rows).toFixed(3),
      };
    });
    setEvaluateThreads(undefined);
    return {
      samples: squaredMs,
      baseline: monoMs,
      check,
      peak_mb: peakMb(),
      threads: 1,
      kernel: 'signed-evaluate-folded.ts (signed log space, wasm SIMD sums) vs evaluate.ts, 1 thread each',
      extra: { rows: p.n, units: p.units, reference_node_by_node_ms: +referenceMs.toFixed(2), monotone_default_threads_ms: +monoThreadsMs.toFixed(2), monotone_default_threads: monoThreads, growth },
    };
  },
};
