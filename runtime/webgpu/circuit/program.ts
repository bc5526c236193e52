// The device program of a circuit plan: WGSL kernels (float32, log space) with the plan's
// offsets baked in, and the u32 table (meta) they read. Plain data (JSON-serializable), so it
// can be built where the model lives and run by exec.ts wherever the device is.
//
// Log 0 is the finite LOG_ZERO (WGSL may assume finite floats); values below ZERO_BELOW are 0.
import { Meta, type Kernel, type DeviceProgram } from './program-wgsl.js';
import { type CircuitPlan, type SumGroup } from './plan.js';
import { discreteForward, normalForward, productForward, sumTables, sumForward } from './program-forward.js';
import { sumBackward, productBackward, discreteStats, normalStats, collect } from './program-backward.js';
import type { SumKernelChoice } from './sum-tiled.js';

export type { BufferName, DeviceProgram, Kernel } from './program-wgsl.js';

/**
 * sumKernel: the folded sums' forward kernel, 'auto' (the size rule of sum-tiled.ts), or one
 * kernel for all (tests compare them).
 */
export function deviceProgram(plan: CircuitPlan, opts: { sumKernel?: SumKernelChoice } = {}): DeviceProgram {
  const { B, V } = plan;
  const meta = new Meta();
  const forward: Kernel[] = [];
  const sumT = new Map<SumGroup, { MO: number; MS: number }>();
  for (const op of plan.forward) {
    if (op.kind === 'discrete') forward.push(discreteForward(meta, op.nodes, B, V));
    else if (op.kind === 'normal') forward.push(normalForward(meta, op.nodes, B, V));
    else if (op.kind === 'product') forward.push(productForward(meta, op.nodes, B, V));
    else {
      const t = sumTables(meta, op.group);
      sumT.set(op.group, t);
      forward.push(...sumForward(op.group, t, B, V, opts.sumKernel ?? 'auto'));
    }
  }
  forward.push(collect(plan.rootOff, B, V));
  const backward: Kernel[] = [];
  for (const op of plan.backward) {
    if (op.kind === 'sum') backward.push(...sumBackward(op.group, sumT.get(op.group)!, B, V));
    else backward.push(productBackward(meta, op.edges, B, V));
  }
  if (plan.discrete.length) backward.push(discreteStats(meta, plan.discrete, B, V));
  if (plan.normal.length) backward.push(normalStats(meta, plan.normal, B, V));
  return {
    B, V, meta: meta.words,
    sizes: { vals: B * plan.totalUnits, prm: plan.prmLen, stats: plan.statsLen, mbuf: plan.mLen, scr: plan.scratchLen },
    forward, backward,
  };
}
