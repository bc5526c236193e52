// GMM EM iteration on the WebGPU device path against the CPU path (fitEM, float64 wasm
// kernels), 1M x 16 rows, K = 32, diagonal and full, both from the same init (true labels).
// Device: rows uploaded once; per iteration the E-step + statistics on the device, the M-step
// on the host; the first iteration (pipeline compilation) is not counted. Run by bench/gpu.mjs.
import { performance } from 'node:perf_hooks';
import { fitEM } from '../../dist/runtime/learners/em.js';
import { ModelState } from '../../dist/runtime/state.js';
import { writeArray } from '../lib/files.mjs';
import { mixtureData } from '../lib/gen.mjs';
import { gmmState, initFromLabels, REG_COVAR } from '../lib/gmm.mjs';

export default {
  name: 'gpu-gmm-em',
  title: 'GMM EM iteration: WebGPU device path vs CPU path',
  check: 'mean log-likelihood at the first and the last E-step (device f32 vs CPU f64)',
  params: (quick) =>
    ['diag', 'full'].map((variant) => ({ variant, n: quick ? 100_000 : 1_000_000, d: 16, k: 32, iters: quick ? 3 : 5, seed: 7, reg_covar: REG_COVAR })),

  /** Data and init written to dir (the page fetches them); returns the init. */
  prepare(dir, p) {
    const { x, labels } = mixtureData(p.n, p.d, p.k, p.seed);
    const init = initFromLabels(gmmState(p.d, p.k, p.variant), x, p.n, p.d, p.k, labels);
    writeArray(dir, 'x.f64', x);
    return { init, x, labels };
  },

  /** The same iterations on the CPU path (one fit of iters + 1 iterations; the gaps are the samples). */
  cpu(p, prepared) {
    const { x, labels } = prepared;
    const s0 = gmmState(p.d, p.k, p.variant);
    initFromLabels(s0, x, p.n, p.d, p.k, labels);
    const state = new ModelState(s0.toGraph());
    const stamps = [];
    const settings = { method: 'em', maxIter: p.iters + 1, tol: 0, restarts: 1, init: 'random', regCovar: p.reg_covar, seed: p.seed };
    const { result } = fitEM(state, x, p.n, new Float64Array(p.n).fill(1), settings, () => stamps.push(performance.now()));
    return { samples: stamps.slice(1).map((t, i) => t - stamps[i]), trace: result.trace.slice(0, p.iters + 1) };
  },

  /** Self-contained (it is sent to a browser page as text): ctx = { lib, gpu, bytes, now }. */
  async device(ctx, p, init) {
    const w = await ctx.lib('runtime/webgpu/index.js');
    const gpu = await ctx.gpu();
    const x = new Float64Array(await ctx.bytes('x.f64'));
    const t0 = ctx.now();
    const gmm = new w.GmmDevice(gpu, x, p.n, p.d);
    const upload = ctx.now() - t0;
    let params = { full: p.variant === 'full', weights: Float64Array.from(init.weights), means: Float64Array.from(init.means), cov: Float64Array.from(init.covs) };
    const samples = [];
    const trace = [];
    let first = 0;
    for (let it = 0; it <= p.iters; it++) {
      const t = ctx.now();
      const r = await gmm.iterate(params);
      params = w.mStep(r.stats, params, p.d, p.reg_covar);
      const dt = ctx.now() - t;
      if (it === 0) first = dt;
      else samples.push(dt);
      trace.push(r.logLik / p.n);
    }
    gmm.destroy();
    return { samples, trace, upload_ms: upload, first_ms: first };
  },
};
