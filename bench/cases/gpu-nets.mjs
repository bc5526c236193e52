// The nets of a probabilistic integral circuit on the WebGPU device against the CPU path
// (runtime/integral: batched nets, wasm SIMD matmul): per Adam mini-batch step one evaluation of
// every net at its quadrature grid (the materialized circuit's parameters) and one reverse pass
// (the nets' weight gradients from d/d(parameters)), for an epoch of steps. The circuit's own
// forward and backward passes run on the CPU either way and are not timed here. The digits PIC
// of examples/digits-pic.pmix (quad tree, 16 points, mlp 2 x 32 sin, composite sharing) and a
// larger one (32 points, mlp 2 x 64). Check: the sum of |gradient| over every net weight
// (device f32 vs CPU f64). Run by bench/gpu.mjs.
import { performance } from 'node:perf_hooks';
import { compile } from '../../dist/compiler/compile.js';
import { lowerModel } from '../../dist/compiler/lower.js';
import { ModelState } from '../../dist/runtime/state.js';
import { initializeIntegral } from '../../dist/runtime/integral/initialize.js';
import { latentGradients, refreshLatent } from '../../dist/runtime/integral/latent-params.js';
import { headGradients, packWeights, statePlan } from '../../dist/runtime/webgpu/nets/index.js';
import { Rng } from '../../dist/stdlib/random.js';
import { digitsData } from '../lib/circuit.mjs';

const source = (p) =>
  `model DigitsPIC = circuit { region quad_tree(width = 8) inputs Bernoulli integral gauss_legendre(points = ${p.points}) net mlp(hidden = ${p.hidden}, layers = 2, activation = sin) sharing composite }`;

const neuralNames = (state) => Object.values(state.graph.params).filter((q) => q.param.kind === 'neural' && q.param.grid).map((q) => q.name);

export default {
  name: 'gpu-nets',
  title: 'integral circuit nets per Adam epoch (evaluate + gradients per mini-batch): WebGPU vs CPU path',
  check: 'sum of |gradient| over every net weight (device f32 vs CPU f64)',
  params: (quick) => [
    { variant: 'digits16', n: 1437, d: 64, k: 16, points: 16, hidden: 32, batch: 100, iters: quick ? 1 : 3, seed: 1 },
    ...(quick ? [] : [{ variant: 'pic32x64', n: 1437, d: 64, k: 32, points: 32, hidden: 64, batch: 100, iters: 2, seed: 1 }]),
  ],

  prepare(dir, p) {
    void dir;
    const { x, n, names } = digitsData(1);
    const vars = names.map((name) => ({ name, type: { kind: 'int' } }));
    const { program, diagnostics } = compile(source(p), 'bench-pic.pmix');
    if (!program) throw new Error(`compile: ${diagnostics.map((d) => d.message).join('; ')}`);
    const { graph, diagnostics: d2 } = lowerModel(program, 'DigitsPIC', vars, {});
    if (!graph) throw new Error(`lower: ${d2.map((d) => d.message).join('; ')}`);
    const state = new ModelState(graph, 'train');
    const rng = new Rng(p.seed);
    initializeIntegral(state, x, n, new Float64Array(n).fill(1), 1e-6, rng);
    // A fixed d/d(parameters) for every step (its values do not change the work).
    const gv = new Map(neuralNames(state).map((k) => [k, Float64Array.from(state.values.get(k), () => rng.uniform() * 2 - 1)]));
    const plan = statePlan(state);
    const values = new Map(neuralNames(state).map((k) => [k, state.values.get(k)]));
    const weights = packWeights(plan, (k) => state.values.get(k)).map((g) => g.map((l) => ({ w: Array.from(l.w), b: Array.from(l.b) })));
    const gy = headGradients(plan, values, gv).map((g) => (g ? Array.from(g) : null));
    const steps = Math.ceil(n / p.batch);
    return { init: { groups: plan.groups.map((g) => ({ rows: g.rows, x: g.x, layers: g.layers })), weights, gy, steps }, state, gv, steps };
  },

  cpu(p, prepared) {
    const { state, gv, steps } = prepared;
    const samples = [];
    const trace = [];
    for (let it = 0; it <= p.iters; it++) {
      const t = performance.now();
      let total = 0;
      for (let s = 0; s < steps; s++) {
        refreshLatent(state);
        const grads = new Map([...gv].map(([k, v]) => [k, Float64Array.from(v)]));
        latentGradients(state, grads);
        if (s === 0) for (const [k, g] of grads) if (!gv.has(k)) for (const v of g) total += Math.abs(v);
      }
      if (it > 0) samples.push(performance.now() - t);
      trace.push(total);
    }
    return { samples, trace };
  },

  /** Self-contained (it is sent to a browser page as text): ctx = { lib, gpu, bytes, now }. */
  async device(ctx, p, init) {
    const m = await ctx.lib('runtime/webgpu/nets/exec.js');
    const device = await ctx.gpu();
    const t0 = ctx.now();
    const ex = new m.NetExecutor(device, init.groups);
    const weights = init.weights.map((g) => g.map((l) => ({ w: new Float32Array(l.w), b: new Float32Array(l.b) })));
    const gy = init.gy.map((g) => (g ? new Float32Array(g) : undefined));
    const upload = ctx.now() - t0;
    const samples = [];
    const trace = [];
    let first = 0;
    for (let it = 0; it <= p.iters; it++) {
      const t = ctx.now();
      let total = 0;
      for (let s = 0; s < init.steps; s++) {
        await ex.forward(weights);
        const grads = await ex.backward(gy);
        if (s === 0) for (const g of grads) if (g) for (const l of g) for (const arr of [l.w, l.b]) for (const v of arr) total += Math.abs(v);
      }
      const dt = ctx.now() - t;
      if (it === 0) first = dt;
      else samples.push(dt);
      trace.push(total);
    }
    ex.destroy();
    return { samples, trace, upload_ms: upload, first_ms: first };
  },
};
