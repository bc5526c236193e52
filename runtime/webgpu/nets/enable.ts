/// <reference types="@webgpu/types" />
// Turns the device path of the integral circuits' nets on (with a device) or off: Adam on an
// integral circuit driven asynchronously (session.fitAsync, model.fit, program.runAsync, the
// CLI) evaluates the nets and their gradients on the device; everything else stays on the CPU.
import { registerDeviceNets, type DeviceNetsRun } from '../../learners/device-nets.js';
import { activeGpu } from '../../backend/compute.js';
import type { ModelState } from '../../state.js';
import { DeviceNets, statePlan } from './device-nets.js';
import type { NetPlan } from './plan.js';

let enabled: GPUDevice | undefined;

/** The nets' device: one enabled explicitly (useWebGpu in the API, tests), else the compute backend's. */
export function enableWebGpuNets(device: GPUDevice | undefined): void {
  enabled = device;
}

/** Why these nets cannot run on this device (a buffer over its limit), or undefined. */
function tooLarge(plan: NetPlan, device: GPUDevice): string | undefined {
  const limit = device.limits.maxStorageBufferBindingSize;
  for (const g of plan.groups) {
    for (const l of g.layers) {
      const bytes = 4 * Math.max(g.rows * l.outputs, g.rows * l.inputs, l.inputs * l.outputs);
      if (bytes > limit) return `a layer of ${g.rows} grid rows x ${Math.max(l.inputs, l.outputs)} units needs ${bytes} bytes, over the device's ${limit}-byte buffer limit`;
      // One workgroup per output column (bias gradients) and per 16 rows (tiles) in one grid dimension.
      const groups = Math.max(l.outputs, Math.ceil(g.rows / 16));
      if (groups > device.limits.maxComputeWorkgroupsPerDimension) return `a layer of ${g.rows} grid rows x ${l.outputs} outputs needs ${groups} workgroups in one dimension, over the device's ${device.limits.maxComputeWorkgroupsPerDimension}`;
    }
  }
  return undefined;
}

/** Registers the nets' device path with Adam (once, at the integral family's load). */
export function registerNetsDevice(): void {
  registerDeviceNets((state: ModelState): DeviceNetsRun | string => {
    const device = enabled ?? activeGpu()?.device;
    if (!device) return 'no WebGPU device (compute backend cpu)';
    let plan: NetPlan;
    try {
      plan = statePlan(state);
    } catch (e) {
      return `the WebGPU net kernels cannot take it: ${(e as Error).message}`;
    }
    if (plan.groups.length === 0) return 'the integral circuit has no nets (its functions are constants)';
    const why = tooLarge(plan, device);
    if (why) return `the WebGPU net kernels cannot take it: ${why}`;
    return new DeviceNets(device, state, plan);
  });
}
