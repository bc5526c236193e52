// Circuit inference (per-row log-likelihoods) on the WebGPU device path against the CPU path
// (logDensityRows, folded float64 kernels): the digits circuit at 32 units on 20k rows and a
// large one at 128 units per region on 100k rows. Device: rows uploaded once; a forward pass
// over mini-batches, the log-likelihoods read back; the first pass (pipeline compilation) is
// not counted. Run by bench/gpu.mjs.
import { performance } from 'node:perf_hooks';
import { logDensityRows } from '../../dist/runtime/evaluate.js';
import { gpuCircuitParams, prepareCircuit } from '../lib/gpu-circuit.mjs';

const REPEATS = 3;

export default {
  name: 'gpu-circuit-infer',
  title: 'circuit inference (log p of every row): WebGPU device path vs CPU path',
  check: 'mean log-likelihood (device f32 vs CPU f64)',
  params: (quick) => gpuCircuitParams(quick, 'gpu-circuit-infer'),
  prepare: prepareCircuit,

  cpu(p, prepared) {
    const samples = [];
    let mean = 0;
    for (let r = 0; r < REPEATS; r++) {
      const t = performance.now();
      const ll = logDensityRows(prepared.state, prepared.x, prepared.n);
      samples.push(performance.now() - t);
      mean = ll.reduce((a, b) => a + b, 0) / prepared.n;
    }
    return { samples, trace: [mean] };
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
    const samples = [];
    let first = 0;
    let mean = 0;
    for (let r = 0; r <= 3; r++) {
      const t = ctx.now();
      const ll = await ex.logLikelihoodRows();
      const dt = ctx.now() - t;
      if (r === 0) first = dt;
      else samples.push(dt);
      mean = 0;
      for (let i = 0; i < init.n; i++) mean += ll[i];
      mean /= init.n;
    }
    ex.destroy();
    return { samples, trace: [mean], upload_ms: upload, first_ms: first };
  },
};
