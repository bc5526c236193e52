// One full-batch EM epoch (forward + backward + M-step) of the digits circuit (quad-tree arity
// 4, 32 units, Bernoulli inputs) on the 1437 training rows replicated to ~20k, against a numpy
// implementation of the same folded circuit (bench/peer/circuit.py). Timed as the gap between
// consecutive progress callbacks of fitEM (the real learner, tol = 0), as the gmm-em cases do.
// pmix on one thread here; circuit-em-mt runs the same on every core (PMIX_THREADS overrides).
import { performance } from 'node:perf_hooks';
import { forward, lastEvaluateThreads, setEvaluateThreads } from '../../dist/runtime/evaluate.js';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { circuitParams, emSettings, setupCircuit, valuesOf } from '../lib/circuit.mjs';
import { writeArray, writeJson } from '../lib/files.mjs';

export default {
  name: 'circuit-em',
  title: 'circuit EM epoch, digits quad_tree(arity 4) x 32 units, Bernoulli inputs',
  peer: 'numpy, the same folded circuit (bench/peer/circuit.py): log-space einsum/matmul forward, flows backward, M-step',
  peerScript: 'circuit.py',
  needs: [],
  check: 'mean log-likelihood at the start parameters (extra: max |diff| of per-row log-likelihoods and of the parameters after one EM epoch, pmix vs numpy)',
  rows: (p) => 1437 * p.reps,
  params: (quick) => circuitParams(quick, { mode: 'em', threads: 1 }),
  async run(dir, p) {
    setEvaluateThreads(p.threads === 'all' ? undefined : p.threads);
    const { x, n, state } = setupCircuit(dir, p);
    const w = new Float64Array(n).fill(1);
    writeArray(dir, 'pmix-ll.f64', forward(state, x, n).get(state.graph.root));
    // One epoch from the start parameters, for the peer to compare its M-step against.
    const one = fitEM(state.clone(), x, n, w, emSettings(p, 1));
    writeJson(dir, 'pmix-em1.json', valuesOf(one.state));
    const stamps = [];
    const { result } = fitEM(state, x, n, w, emSettings(p, p.repeats + 1), () => stamps.push(performance.now()));
    const samples = stamps.slice(1).map((t, i) => t - stamps[i]);
    const threads = lastEvaluateThreads();
    return { samples, check: result.trace[0], threads, kernel: `evaluate.ts + sum-layer-wasm.ts (wasm SIMD f64) + em.ts, ${threads} thread${threads > 1 ? 's' : ''}`, extra: { rows: n } };
  },
};
