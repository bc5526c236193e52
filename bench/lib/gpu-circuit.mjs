// The GPU circuit cases' shared part: the digits circuit (bench/lib/circuit.mjs) at a chosen
// number of units over the digits rows replicated, its device plan and program (built here in
// Node from dist/), the packed parameters written as files the device side fetches, and the
// layout a self-contained device M-step needs (sum groups, Bernoulli inputs).
import { circuitPlan, deviceProgram, packParams, DEFAULT_BATCH } from '../../dist/runtime/webgpu/circuit/index.js';
import { digitsData, digitsState } from './circuit.mjs';
import { writeArray } from './files.mjs';

export const gpuCircuitParams = (quick, name) => [
  // The digits circuit of the CPU bench (32 units), and a large one (128 units per region).
  { variant: 'digits', n: quick ? 1437 : 1437 * 14, d: 64, k: quick ? 8 : 32, units: quick ? 8 : 32, reps: quick ? 1 : 14, iters: quick ? 1 : 3, batch: DEFAULT_BATCH, seed: 3, smoothing: 0.01, reg_covar: 1e-6, case: name },
  ...(quick ? [] : [{ variant: 'large', n: 1437 * 70, d: 64, k: 128, units: 128, reps: 70, iters: 2, batch: 512, seed: 3, smoothing: 0.01, reg_covar: 1e-6, case: name }]),
];

/** Writes x.f32-ready rows and prm.f32 to dir; returns what the device side and the CPU side need. */
export function prepareCircuit(dir, p) {
  const { x, n, names } = digitsData(p.reps);
  const state = digitsState({ ...p, arity: 4 }, names);
  const plan = circuitPlan(state, Math.min(p.batch, n));
  const program = deviceProgram(plan);
  writeArray(dir, 'x.f64', x);
  writeArray(dir, 'prm.f32', packParams(state, plan));
  const layout = {
    sums: plan.sums.map((g) => ({ F: g.F, U: g.U, I: g.I, w: g.w, wt: g.wt, counts: g.counts })),
    bernoulli: plan.discrete.map((d) => ({ units: d.units, dims: d.cols.length, L: d.L, table: d.table, stats: d.stats })),
  };
  return { init: { program, layout, n, smoothing: p.smoothing, floor: Math.max(p.reg_covar, 1e-10) }, x, n, state };
}
