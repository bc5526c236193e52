// A circuit EM epoch on the WebGPU device path against the CPU path (fitEM, folded float64
// kernels): the digits circuit (quad-tree, Bernoulli inputs, Hadamard products) at 32 units on
// 20k rows, and a large one at 128 units per region on 100k rows, both from the same seeded
// parameters. Device: rows uploaded once; per epoch the forward and backward passes and the
// statistics over mini-batches on the device, the M-step on the host (here a self-contained
// copy of the Bernoulli/sum M-steps, so the page needs no stdlib); the first epoch (pipeline
// compilation) is not counted. Run by bench/gpu.mjs.
import { performance } from 'node:perf_hooks';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { ModelState } from '../../dist/runtime/state.js';
import { emSettings } from '../lib/circuit.mjs';
import { gpuCircuitParams, prepareCircuit } from '../lib/gpu-circuit.mjs';

export default {
  name: 'gpu-circuit-em',
  title: 'circuit EM epoch: WebGPU device path vs CPU path',
  check: 'mean log-likelihood at the first and the last E-step (device f32 vs CPU f64)',
  params: (quick) => gpuCircuitParams(quick, 'gpu-circuit-em'),
  prepare: prepareCircuit,

  cpu(p, prepared) {
    const state = new ModelState(prepared.state.toGraph());
    const stamps = [];
    const { result } = fitEM(state, prepared.x, prepared.n, new Float64Array(prepared.n).fill(1), { ...emSettings(p, p.iters + 1), smoothing: p.smoothing }, () => stamps.push(performance.now()));
    return { samples: stamps.slice(1).map((t, i) => t - stamps[i]), trace: result.trace.slice(0, p.iters + 1) };
  },

  /** Self-contained (it is sent to a browser page as text): ctx = { lib, gpu, bytes, now }. */
  async device(ctx, p, init) {
    const c = await ctx.lib('runtime/webgpu/circuit/exec.js');
    const device = await ctx.gpu();
    const x = new Float64Array(await ctx.bytes('x.f64'));
    const prm = new Float32Array(await ctx.bytes('prm.f32'));
    const t0 = ctx.now();
    const ex = new c.CircuitExecutor(device, init.program, { x, n: init.n }, prm);
    const upload = ctx.now() - t0;
    const clampUnit = (v) => Math.min(Math.max(v, Math.min(Math.max(init.floor, 1e-12), 0.25)), 1 - Math.min(Math.max(init.floor, 1e-12), 0.25));
    const s = init.smoothing;
    // The M-step of runtime/learners/em.ts (sum weights) and stdlib's Bernoulli fit, on the packed arrays.
    const mStep = (stats) => {
      for (const g of init.layout.sums) {
        for (let fu = 0; fu < g.F * g.U; fu++) {
          let tot = 0;
          for (let i = 0; i < g.I; i++) tot += stats[g.counts + fu * g.I + i];
          if (tot <= 0 && !(s > 0)) continue;
          const a = s + 1e-15;
          const f = Math.floor(fu / g.U);
          const u = fu % g.U;
          for (let i = 0; i < g.I; i++) {
            const w = (stats[g.counts + fu * g.I + i] + a) / (tot + g.I * a);
            prm[g.w + fu * g.I + i] = w;
            prm[g.wt + (f * g.I + i) * g.U + u] = w;
          }
        }
      }
      for (const b of init.layout.bernoulli) {
        for (let k = 0; k < b.units * b.dims; k++) {
          const c0 = stats[b.stats + k * b.L];
          const c1 = stats[b.stats + k * b.L + 1];
          const sw = c0 + c1;
          if (!(sw > 0) && !(s > 0)) continue;
          const pr = clampUnit(clampUnit((c1 + s) / (sw + 2 * s)));
          prm[b.table + k * b.L] = Math.log1p(-pr);
          prm[b.table + k * b.L + 1] = Math.log(pr);
        }
      }
      ex.setParams(prm);
    };
    const samples = [];
    const trace = [];
    let first = 0;
    for (let it = 0; it <= p.iters; it++) {
      const t = ctx.now();
      const r = await ex.eStep();
      let ll = 0;
      for (let i = 0; i < init.n; i++) ll += r.ll[i];
      mStep(r.stats);
      const dt = ctx.now() - t;
      if (it === 0) first = dt;
      else samples.push(dt);
      trace.push(ll / init.n);
    }
    ex.destroy();
    return { samples, trace, upload_ms: upload, first_ms: first };
  },
};
