// The integral circuits' nets on a device (WebGPU), registered by inversion as device-em.ts is:
// runtime/webgpu/nets registers a factory; Adam asks it once per run when the fit is driven
// asynchronously and keeps the CPU nets where it answers a reason instead.
import type { ModelState } from '../state.js';

export interface DeviceNetsRun {
  /** Recomputes every neural parameter's values in the state from the nets' current weights. */
  refresh(): Promise<void>;
  /** Adds, into grads, the nets' weight gradients implied by grads of the neural parameters (at the last refresh). */
  gradients(grads: Map<string, Float64Array>): Promise<void>;
  destroy(): void;
}

export type DeviceNetsFactory = (state: ModelState) => DeviceNetsRun | string;

let factory: DeviceNetsFactory | undefined;

/** Sets (or, with undefined, removes) the device nets factory. */
export function registerDeviceNets(f: DeviceNetsFactory | undefined): void {
  factory = f;
}

/** A device run for this state's nets, or why not. */
export function deviceNetsRun(state: ModelState): DeviceNetsRun | string {
  return factory ? factory(state) : 'no WebGPU net kernels registered';
}
