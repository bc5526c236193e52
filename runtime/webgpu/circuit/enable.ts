/// <reference types="@webgpu/types" />
// Turns the device path of circuit EM on (with a device) or off: full-batch EM on a circuit
// whose nodes the kernels have runs its E-steps on the device when the fit is driven
// asynchronously (session.fitAsync, model.fit, program.runAsync); everything else stays on the CPU.
import { registerDeviceEM, type DeviceEMRun } from '../../learners/device-em.js';
import { DeviceCircuit } from './device-circuit.js';
import { unsupported } from './plan.js';

/** Why these rows cannot go to the device (missing Normal cells: the CPU M-step imputes them), or undefined. */
function rowsProblem(dc: { state: DeviceCircuit['state'] }, x: Float64Array, n: number): string | undefined {
  const V = dc.state.graph.vars.length;
  for (const node of dc.state.nodes) {
    if (node.kind !== 'input' || node.dist !== 'Normal') continue;
    for (let i = 0; i < n; i++) for (const c of node.scope) if (Number.isNaN(x[i * V + c]!)) return `row ${i + 1} misses '${dc.state.graph.vars[c]!.name}' (a Normal input's missing cells are fitted on the CPU)`;
  }
  return undefined;
}

export function enableWebGpuCircuits(device: GPUDevice | undefined, opts: { batch?: number } = {}): void {
  if (!device) return registerDeviceEM('circuit', undefined);
  registerDeviceEM('circuit', (state, x, n, rowWeights): DeviceEMRun | string => {
    const why = unsupported(state) ?? rowsProblem({ state }, x, n);
    if (why) return `the WebGPU circuit kernels cannot take it: ${why}`;
    const dc = new DeviceCircuit(device, state, x, n, rowWeights, opts.batch);
    return {
      iteration: (settings, it) => dc.emIteration(settings, it),
      meanLogLikelihood: (it) => dc.meanLogLikelihood(it),
      destroy: () => dc.destroy(),
    };
  });
}
