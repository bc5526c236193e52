// The integral circuits' nets: one Adam epoch of the digits PIC (examples/digits-pic.pmix at
// K points: quad_tree, Bernoulli inputs, nets mlp(hidden = 32, layers = 2, sin), composite
// sharing; lr 0.02, batch 100, on the 1437 training rows) with the nets' kernels on (each net
// whole in one wasm memory: runtime/kernels/dense-net-wasm.ts; the refresh's forward pass reused
// by the next gradient) against off (the JS reference), interleaved in one process, with the
// previous fast path (per-matmul wasm kernels) as a third arm in `extra`. The "peer" columns are pmix with
// useNetKernels(false); ratio = new / reference; 100 epochs take 100x. `extra` has the dense
// matmul's GFLOP/s on the nets' shapes (CPU time), a dense layer's forward + backward GFLOP/s
// (bench/nets-layer.mjs), the epochs' CPU times and the speed-ups (reference / new) on CPU and wall time.
import { performance } from 'node:perf_hooks';
import { compile } from '../../dist/compiler/compile.js';
import { lowerModel } from '../../dist/compiler/lower.js';
import { ModelState } from '../../dist/runtime/state.js';
import { fitAdam } from '../../dist/runtime/learners/adam.js';
import { useNetKernels } from '../../dist/runtime/integral/latent-params.js';
import { denseMatMulWasm } from '../../dist/runtime/kernels/dense-wasm.js';
import { digitsData } from '../lib/circuit.mjs';
import { median } from '../lib/stats.mjs';
import { layerGflops } from '../nets-layer.mjs';

const source = (k) => `model DigitsPIC = circuit {
  region quad_tree(width = 8)
  inputs Bernoulli
  integral gauss_legendre(points = ${k})
  net mlp(hidden = 32, layers = 2)
  sharing composite
}`;

function picState(k, names) {
  const vars = names.map((name) => ({ name, type: { kind: 'int' } }));
  const { program, diagnostics } = compile(source(k), 'bench-pic.pmix');
  if (!program) throw new Error(`compile: ${diagnostics.map((d) => d.message).join('; ')}`);
  const { graph, diagnostics: d2 } = lowerModel(program, 'DigitsPIC', vars, {});
  if (!graph) throw new Error(`lower: ${d2.map((d) => d.message).join('; ')}`);
  return new ModelState(graph, 'train');
}

/** GFLOP/s (CPU time, median of 5) of out += A B for the nets' shapes. */
function gflops(m, k, n) {
  const A = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const B = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
  const out = new Float64Array(m * n);
  const reps = Math.max(1, Math.round(2e8 / (2 * m * n * k)));
  const t = [];
  for (let r = 0; r < 5; r++) {
    const c = process.cpuUsage();
    for (let q = 0; q < reps; q++) denseMatMulWasm(A, B, m, k, n, out);
    const d = process.cpuUsage(c);
    t.push((d.user + d.system) / 1e6);
  }
  return +((2 * m * n * k * reps) / median(t) / 1e9).toFixed(1);
}

/** A dense layer's forward + backward GFLOP/s, 1024 rows, 32 x 32 and 64 x 64, linear and sin, per path. */
function layerExtras() {
  const out = {};
  for (const act of ['linear', 'sin']) {
    for (const w of [32, 64]) {
      const g = layerGflops(1024, w, w, act, 5);
      out[`layer_gflops_${act}_1024x${w}x${w}`] = `${g.net} (per-matmul wasm ${g.matmul}, JS ${g.js})`;
    }
  }
  return out;
}

export default {
  name: 'nets-pic',
  title: 'integral circuit: one Adam epoch of the digits PIC (K = 32, nets 2 x 32 sin), nets in wasm SIMD vs the JS reference',
  peer: 'pmix itself with useNetKernels(false) (JS loops, two forward passes per step)',
  peerScript: null,
  needs: [],
  check: 'mean log-likelihood after the epoch (extra: |diff| new vs reference)',
  rows: () => 1437,
  params: (quick) => ({ k: quick ? 16 : 32, repeats: quick ? 2 : 5 }),
  async run(dir, p) {
    const { x, n, names } = digitsData(1);
    const w = new Float64Array(n).fill(1);
    const settings = { method: 'adam', lr: 0.02, epochs: 1, batch: 100, seed: 1, regCovar: 1e-6, init: 'random' };
    const epoch = (on, wholeNet = true) => {
      useNetKernels(on, { wholeNet });
      const state = picState(p.k, names);
      const c = process.cpuUsage();
      const t = performance.now();
      const fit = fitAdam(state, x, n, w, settings);
      const ms = performance.now() - t;
      const d = process.cpuUsage(c);
      return { ms, cpu: (d.user + d.system) / 1e3, ll: fit.result.meanLogLikelihood };
    };
    epoch(true);
    epoch(true, false);
    epoch(false); // warm-up
    const fast = [];
    const ref = [];
    const prev = [];
    let check = NaN;
    let diff = 0;
    for (let r = 0; r < p.repeats; r++) {
      const a = epoch(true);
      const b = epoch(false);
      prev.push(epoch(true, false));
      fast.push(a);
      ref.push(b);
      check = a.ll;
      diff = Math.max(diff, Math.abs(a.ll - b.ll));
    }
    useNetKernels(true);
    return {
      samples: fast.map((e) => e.ms),
      baseline: ref.map((e) => e.ms),
      check,
      kernel: 'runtime/kernels/dense-net-wasm.ts (whole nets in wasm memory, f64x2 FMA 4x4 tiles, fused bias and sin/cos); circuits/integral/latent-batch.ts (hidden + batched output layers as one net, buffers reused); runtime/kernels/exp-wasm.ts (softmax exps)',
      extra: {
        epoch_cpu_ms: median(fast.map((e) => e.cpu)),
        epoch_cpu_ms_reference: median(ref.map((e) => e.cpu)),
        epoch_cpu_ms_per_matmul_wasm: median(prev.map((e) => e.cpu)),
        ratio_cpu_vs_reference: +(median(fast.map((e) => e.cpu)) / median(ref.map((e) => e.cpu))).toFixed(3),
        // The goal as a speed-up (reference / new), on CPU time (both threads) and on wall time.
        speedup_cpu_vs_reference: +(median(ref.map((e) => e.cpu)) / median(fast.map((e) => e.cpu))).toFixed(2),
        speedup_wall_vs_reference: +(median(ref.map((e) => e.ms)) / median(fast.map((e) => e.ms))).toFixed(2),
        ratio_cpu_vs_per_matmul_wasm: +(median(fast.map((e) => e.cpu)) / median(prev.map((e) => e.cpu))).toFixed(3),
        ll_abs_diff_vs_reference: diff,
        gflops_1024x32x32: gflops(1024, 32, 32),
        gflops_32x1024x32: gflops(32, 1024, 32),
        gflops_1024x32x1: gflops(1024, 32, 1),
        ...layerExtras(),
      },
    };
  },
};
