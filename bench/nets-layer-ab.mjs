// A/B of one dense layer's forward + backward on the whole-net wasm kernel, interleaved in one
// process: fresh result arrays (a) against the caller's buffers kept across steps (b, what
// bench/nets-layer.mjs does now), and buffers without the input gradient (c, a first layer).
// GFLOP/s counted as 6 rows nin nout for all three (c does 4 of the 6: its time is the point).
// CPU time, medians of --repeats (9). `npm run build` first.
//   node bench/nets-layer-ab.mjs [--rows 1024] [--widths 32,64,128] [--repeats 9]
import { denseBackward, denseForward } from '../dist/stdlib/nets/dense-net.js';
import { denseNetBackwardWasm, denseNetForwardWasm } from '../dist/runtime/kernels/dense-net-wasm.js';

const net = { net: { forward: denseNetForwardWasm, backward: denseNetBackwardWasm } };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rows = +arg('rows', '1024');
const widths = arg('widths', '32,64,128').split(',').map(Number);
const repeats = +arg('repeats', '9');

function layerAB(nin, nout, activation) {
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const layer = { w: Float64Array.from({ length: nin * nout }, rnd), b: Float64Array.from({ length: nout }, rnd), inputs: nin, outputs: nout, activation };
  const x = Float64Array.from({ length: rows * nin }, rnd);
  const gy = Float64Array.from({ length: rows * nout }, rnd);
  const grads = [{ w: new Float64Array(nin * nout), b: new Float64Array(nout) }];
  const y = new Float64Array(rows * nout);
  const gx = new Float64Array(rows * nin);
  const flops = 6 * rows * nin * nout;
  const reps = Math.max(1, Math.round(1e8 / flops));
  const arms = {
    fresh: () => denseBackward([layer], denseForward([layer], x, rows, net).trace, gy, grads, net),
    buffers: () => denseBackward([layer], denseForward([layer], x, rows, net, { y }).trace, gy, grads, net, { gx }),
    noGx: () => denseBackward([layer], denseForward([layer], x, rows, net, { y }).trace, gy, grads, net, { inputGradient: false }),
  };
  const cpu = (f) => {
    const c = process.cpuUsage();
    for (let r = 0; r < reps; r++) f();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1e6;
  };
  for (const f of Object.values(arms)) for (let i = 0; i < 3; i++) cpu(f); // warm-up
  const t = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
  for (let i = 0; i < repeats; i++) for (const [k, f] of Object.entries(arms)) t[k].push(cpu(f));
  return Object.fromEntries(
    Object.entries(t).map(([k, ts]) => [k, { gflops: +((flops * reps) / median(ts) / 1e9).toFixed(2), us: +((median(ts) / reps) * 1e6).toFixed(0), best: +((flops * reps) / Math.min(...ts) / 1e9).toFixed(2) }]),
  );
}

// TurboFan tier-up of the wasm functions (its background CPU time counts): warm up first.
{
  const c = process.cpuUsage();
  while ((process.cpuUsage(c).user + process.cpuUsage(c).system) / 1e6 < 0.5) layerAB(32, 32, 'sin');
}
console.log(`dense layer forward + backward, ${rows} rows, whole-net wasm, CPU time medians of ${repeats}: GFLOP/s (best) us/step — fresh arrays | caller buffers | buffers, no dL/dx`);
for (const activation of ['linear', 'sin']) {
  for (const w of widths) {
    const g = layerAB(w, w, activation);
    const cell = (a) => `${a.gflops} (${a.best}) ${a.us} us`;
    console.log(`${activation.padEnd(6)} ${w}x${w}: ${cell(g.fresh)} | ${cell(g.buffers)} | ${cell(g.noGx)}`);
  }
}
