// A/B of the circuit EM epoch with the discrete input layers' level counts in the backward's
// threads (runtime/leaf-counts.ts) against the M-step's own serial pass, interleaved in one
// process (off, on, off, on, ...): digits circuit (bench/lib/circuit.mjs, 20118 rows, 32 units).
// On T threads: wall time per epoch (performance.now, progress stamps as the circuit-em case);
// on one thread also CPU time (process.cpuUsage; the path is unchanged there).
// `node bench/leaf-counts-ab.mjs [threads] [rounds] [epochsPerRound]` after `npm run build`.
import { performance } from 'node:perf_hooks';
import { setEvaluateThreads, useThreadedLeafCounts, lastEvaluateThreads } from '../dist/runtime/evaluate.js';
import { fitEM } from '../dist/runtime/learners/em.js';
import { circuitParams, digitsData, digitsState, emSettings } from './lib/circuit.mjs';
import { median } from './lib/stats.mjs';

const [threads = 2, rounds = 7, epochs = 3] = process.argv.slice(2).map(Number);
const p = circuitParams(false);
const { x, n, names } = digitsData(p.reps);
const state = digitsState(p, names);
const w = new Float64Array(n).fill(1);
setEvaluateThreads(threads);

function epochTimes(on) {
  useThreadedLeafCounts(on);
  const stamps = [];
  const cpu = [];
  fitEM(state.clone(), x, n, w, emSettings(p, epochs + 1), () => {
    stamps.push(performance.now());
    const c = process.cpuUsage();
    cpu.push((c.user + c.system) / 1000);
  });
  return { wall: stamps.slice(1).map((t, i) => t - stamps[i]), cpu: cpu.slice(1).map((t, i) => t - cpu[i]) };
}

epochTimes(true); // warm-up (pool start, JIT)
const res = { off: { wall: [], cpu: [] }, on: { wall: [], cpu: [] } };
for (let r = 0; r < rounds; r++) {
  for (const on of [false, true]) {
    const t = epochTimes(on);
    res[on ? 'on' : 'off'].wall.push(...t.wall);
    res[on ? 'on' : 'off'].cpu.push(...t.cpu);
  }
}
const fmt = (a) => `median ${median(a).toFixed(1)} ms (min ${Math.min(...a).toFixed(1)}, max ${Math.max(...a).toFixed(1)}, ${a.length} epochs)`;
console.log(`threads ${lastEvaluateThreads()}, rows ${n}`);
for (const k of ['off', 'on']) console.log(`${k}: wall ${fmt(res[k].wall)}; cpu ${fmt(res[k].cpu)}`);
console.log(`wall on/off ${(median(res.on.wall) / median(res.off.wall)).toFixed(3)}`);

// Phases on the same data (forward, backward, M-step called as em.ts does): the M-step runs on
// the calling thread alone (the workers sleep), so its process CPU time is the serial part the
// threads' counts take off the critical path; the backward's CPU is both threads' (the added work).
const { forward, backward } = await import('../dist/runtime/evaluate.js');
const { mStep } = await import('../dist/runtime/learners/em.js');
const { gather } = await import('../dist/runtime/state.js');
const v = state.graph.vars.length;
const xsByNode = new Map();
for (const node of state.nodes) if (node.kind === 'input') xsByNode.set(node.id, gather(x, n, v, node.scope));
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const ph = { off: { bwd: [], bwdWall: [], m: [] }, on: { bwd: [], bwdWall: [], m: [] } };
for (let r = 0; r < rounds * epochs; r++) {
  for (const on of [false, true]) {
    useThreadedLeafCounts(on);
    const s = state.clone();
    const vals = forward(s, x, n, undefined, true);
    const counts = new Map();
    const leafCounts = new Map();
    let c0 = cpuNow();
    const t0 = performance.now();
    const flows = backward(s, vals, n, w, counts, undefined, { x, out: leafCounts });
    ph[on ? 'on' : 'off'].bwdWall.push(performance.now() - t0);
    ph[on ? 'on' : 'off'].bwd.push(cpuNow() - c0);
    c0 = cpuNow();
    mStep(s, flows, counts, w, xsByNode, n, p.reg_covar, 1, new Map(), p.smoothing, vals, leafCounts);
    ph[on ? 'on' : 'off'].m.push(cpuNow() - c0);
  }
}
for (const k of ['off', 'on']) console.log(`${k}: backward cpu (all threads) ${fmt(ph[k].bwd)}; backward wall ${fmt(ph[k].bwdWall)}; M-step cpu (caller alone) ${fmt(ph[k].m)}`);
