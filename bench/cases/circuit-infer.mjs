// Inference throughput: the log-likelihood of every row (logLikelihood: the scaled-linear forward) of the digits circuit
// (quad-tree arity 4, 32 units, Bernoulli inputs) on the training rows replicated to ~20k,
// against numpy evaluating the same folded circuit (bench/peer/circuit.py). pmix on one thread
// here; circuit-infer-mt runs the same on every core (PMIX_THREADS overrides).
import { lastEvaluateThreads, logLikelihood, setEvaluateThreads } from '../../dist/runtime/evaluate.js';
import { circuitParams, setupCircuit } from '../lib/circuit.mjs';
import { writeArray } from '../lib/files.mjs';
import { sample } from '../lib/stats.mjs';

export default {
  name: 'circuit-infer',
  title: 'circuit log-likelihood (forward pass), digits quad_tree(arity 4) x 32 units',
  peer: 'numpy, the same folded circuit (bench/peer/circuit.py): log-space einsum/matmul forward',
  peerScript: 'circuit.py',
  needs: [],
  check: 'mean log-likelihood (extra: max |diff| of per-row log-likelihoods, pmix vs numpy)',
  rows: (p) => 1437 * p.reps,
  params: (quick) => circuitParams(quick, { mode: 'infer', repeats: quick ? 3 : 7, threads: 1 }),
  async run(dir, p) {
    setEvaluateThreads(p.threads === 'all' ? undefined : p.threads);
    const { x, n, state } = setupCircuit(dir, p);
    let ll = logLikelihood(state, x, n);
    writeArray(dir, 'pmix-ll.f64', ll);
    let s = 0;
    for (const v of ll) s += v;
    // The previous pass's array is lent to the next: no fresh pages per pass.
    const samples = await sample(() => {
      ll = logLikelihood(state, x, n, ll);
    }, p.repeats);
    const threads = lastEvaluateThreads();
    return { samples, check: s / n, threads, kernel: `evaluate-linear.ts (scaled-linear forward, tabulated discrete sub-circuits) + sum-linear-wasm.ts (wasm SIMD f64), ${threads} thread${threads > 1 ? 's' : ''}`, extra: { rows: n } };
  },
};
