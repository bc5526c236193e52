// GFLOP/s of one dense layer's forward + backward (6 rows nin nout flops: z = x w + b,
// gw += x^T gz, gx = gz w^T), linear and sin, on three paths interleaved in one process:
// the whole-net wasm kernel (runtime/kernels/dense-net-wasm.ts, what the nets use now), the
// per-matmul wasm kernels (dense-wasm.ts + sincos-wasm.ts, the previous fast path) and the JS
// reference loops. CPU time, medians of 7. `npm run build` first.
//   node bench/nets-layer.mjs [--rows 1024] [--widths 32,64,128]
import { denseBackward, denseForward } from '../dist/stdlib/nets/dense-net.js';
import { denseMatMulWasm } from '../dist/runtime/kernels/dense-wasm.js';
import { sinCosWasm } from '../dist/runtime/kernels/sincos-wasm.js';
import { denseNetBackwardWasm, denseNetForwardWasm } from '../dist/runtime/kernels/dense-net-wasm.js';

export const PATHS = {
  net: { net: { forward: denseNetForwardWasm, backward: denseNetBackwardWasm } },
  matmul: { matmul: (A, B, m, k, n, out) => denseMatMulWasm(A, B, m, k, n, out), sinCos: sinCosWasm },
  js: undefined,
};

let warmedUp = false;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** { path: GFLOP/s } for one layer rows x nin -> nout with `activation`. */
export function layerGflops(rows, nin, nout, activation, repeats = 7) {
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const layer = { w: Float64Array.from({ length: nin * nout }, rnd), b: Float64Array.from({ length: nout }, rnd), inputs: nin, outputs: nout, activation };
  const x = Float64Array.from({ length: rows * nin }, rnd);
  const gy = Float64Array.from({ length: rows * nout }, rnd);
  const grads = [{ w: new Float64Array(nin * nout), b: new Float64Array(nout) }];
  const flops = 6 * rows * nin * nout;
  const reps = Math.max(1, Math.round(1e8 / flops));
  const step = (k) => {
    for (let r = 0; r < reps; r++) {
      const f = denseForward([layer], x, rows, k);
      denseBackward([layer], f.trace, gy, grads, k);
    }
  };
  const t = Object.fromEntries(Object.keys(PATHS).map((p) => [p, []]));
  // Warm-up: V8 runs wasm on its baseline compiler until a function is hot, then compiles it
  // again with TurboFan on a background thread, whose CPU time process.cpuUsage counts: the
  // first case measured took that cost (linear 32 x 32 ran at half the speed of the same case
  // measured again). So the first call warms each path up for ~0.5 s of CPU, later ones briefly.
  const warmUntil = (k, seconds) => {
    const c = process.cpuUsage();
    let n = 0;
    let spent = 0;
    do {
      step(k);
      const d = process.cpuUsage(c);
      spent = (d.user + d.system) / 1e6;
    } while (++n < 3 || spent < seconds);
  };
  for (const p of Object.keys(PATHS)) warmUntil(PATHS[p], warmedUp ? 0 : 0.5);
  warmedUp = true;
  for (let i = 0; i < repeats; i++) {
    for (const [p, k] of Object.entries(PATHS)) {
      const c = process.cpuUsage();
      step(k);
      const d = process.cpuUsage(c);
      t[p].push((d.user + d.system) / 1e6);
    }
  }
  return Object.fromEntries(Object.entries(t).map(([p, ts]) => [p, +((flops * reps) / median(ts) / 1e9).toFixed(2)]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  const rows = +arg('rows', '1024');
  const widths = arg('widths', '32,64,128').split(',').map(Number);
  console.log(`dense layer forward + backward, ${rows} rows, GFLOP/s (CPU time, median of 7): whole-net wasm | per-matmul wasm | JS`);
  for (const activation of ['linear', 'sin']) {
    for (const w of widths) {
      const g = layerGflops(rows, w, w, activation);
      console.log(`${activation.padEnd(6)} ${w}x${w}: ${g.net} | ${g.matmul} | ${g.js}`);
    }
  }
}
