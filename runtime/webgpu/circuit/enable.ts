/// <reference types="@webgpu/types" />
// Turns the device path of circuit EM on (with a device) or off: full-batch EM on a circuit
// whose nodes the kernels have runs its E-steps on the device when the fit is driven
// asynchronously (session.fitAsync, model.fit, program.runAsync); everything else stays on the CPU.
import { registerDeviceEM, type DeviceEMRun } from '../../learners/device-em.js';
import { activeGpu } from '../../backend/compute.js';
import type { IRGraph } from '../../../ir/types.js';
import { DeviceCircuit } from './device-circuit.js';
import { inputKind, unsupported } from './plan.js';

/** Why these rows cannot go to the device (missing Normal cells: the CPU M-step imputes them), or undefined. */
function rowsProblem(dc: { state: DeviceCircuit['state'] }, x: Float64Array, n: number): string | undefined {
  const V = dc.state.graph.vars.length;
  for (const node of dc.state.nodes) {
    if (node.kind !== 'input' || inputKind(dc.state, node) !== 'normal') continue;
    for (let i = 0; i < n; i++) for (const c of node.scope) if (Number.isNaN(x[i * V + c]!)) return `row ${i + 1} misses '${dc.state.graph.vars[c]!.name}' (a Normal input's missing cells are fitted on the CPU)`;
  }
  return undefined;
}

let enabled: { device: GPUDevice; batch?: number } | undefined;

/**
 * The circuit path's device: one enabled explicitly (useWebGpu in the API, tests), else the
 * compute backend's (prepareCompute: --backend / PMIX_BACKEND, auto in a browser).
 */
export function enableWebGpuCircuits(device: GPUDevice | undefined, opts: { batch?: number } = {}): void {
  enabled = device ? { device, ...opts } : undefined;
}

let takesGraph: (graph: IRGraph) => boolean = () => false;

/** Whether the registered family's predicate gives this graph to the circuit kernels (queries ask too). */
export const circuitDeviceTakes = (graph: IRGraph): boolean => takesGraph(graph);

/** Registers the circuit path with full-batch EM (once, at the circuit family's load) for the graphs `takes` accepts. */
export function registerCircuitDevice(takes: (graph: IRGraph) => boolean): void {
  takesGraph = takes;
  registerDeviceEM('circuit', (state, x, n, rowWeights): DeviceEMRun | string => {
    if (!takes(state.graph)) return 'the WebGPU circuit kernels take circuits only';
    const device = enabled?.device ?? activeGpu()?.device;
    if (!device) return 'no WebGPU device (compute backend cpu)';
    const why = unsupported(state) ?? rowsProblem({ state }, x, n);
    if (why) return `the WebGPU circuit kernels cannot take it: ${why}`;
    const dc = new DeviceCircuit(device, state, x, n, rowWeights, enabled?.batch);
    return {
      iteration: (settings, it) => dc.emIteration(settings, it),
      meanLogLikelihood: (it) => dc.meanLogLikelihood(it),
      destroy: () => dc.destroy(),
    };
  });
}
