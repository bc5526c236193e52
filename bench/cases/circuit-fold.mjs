// The speed-up of folding: forward + backward (flows and edge counts, as an EM E-step) of the
// digits circuit with folding on (same-shaped sum nodes of a depth as one batched op,
// circuits/fold.ts) vs off (node by node), interleaved in one process. The "peer" columns are
// pmix unfolded; ratio = folded / unfolded.
import { performance } from 'node:perf_hooks';
import { backward, forward, setEvaluateThreads, useFolding } from '../../dist/runtime/evaluate.js';
import { circuitParams, setupCircuit } from '../lib/circuit.mjs';

export default {
  name: 'circuit-fold',
  title: 'circuit forward+backward, folded vs unfolded (useFolding), digits quad_tree(arity 4) x 32 units',
  peer: 'pmix itself with useFolding(false)',
  peerScript: null,
  needs: [],
  check: 'mean log-likelihood, folded (extra: max |diff| folded vs unfolded of log-values, flows and counts)',
  rows: (p) => 1437 * p.reps,
  params: (quick) => circuitParams(quick, { reps: quick ? 1 : 4 }),
  async run(dir, p) {
    setEvaluateThreads(1); // folding alone: both sides on one thread
    const { x, n, state } = setupCircuit(dir, p);
    const w = new Float64Array(n).fill(1);
    const pass = (fold) => {
      useFolding(fold);
      const t = performance.now();
      const vals = forward(state, x, n);
      const counts = new Map();
      const flows = backward(state, vals, n, w, counts);
      return { ms: performance.now() - t, vals, flows, counts };
    };
    const folded = [];
    const unfolded = [];
    let diff = 0;
    const maxDiff = (a, b) => {
      for (const [k, va] of a) {
        const vb = b.get(k);
        for (let i = 0; i < va.length; i++) if (va[i] !== vb[i]) diff = Math.max(diff, Math.abs(va[i] - vb[i]));
      }
    };
    pass(true);
    pass(false); // warm-up
    let check = 0;
    for (let r = 0; r < p.repeats; r++) {
      const a = pass(true);
      const b = pass(false);
      folded.push(a.ms);
      unfolded.push(b.ms);
      if (r === 0) {
        maxDiff(a.vals, b.vals);
        maxDiff(a.flows, b.flows);
        maxDiff(a.counts, b.counts);
        const root = a.vals.get(state.graph.root);
        for (const v of root) check += v / n;
      }
    }
    useFolding(true);
    return { samples: folded, baseline: unfolded, check, kernel: 'evaluate.ts folded (sum-layer.ts) vs node by node', extra: { rows: n, max_abs_diff_folded_vs_unfolded: diff } };
  },
};
