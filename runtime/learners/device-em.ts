// Full-batch EM's E-step on a device (WebGPU), registered by inversion: runtime/webgpu/circuit
// registers a factory when a device is enabled; em.ts asks it for a run's device once and
// falls back to the CPU where it answers undefined (no device, a node kind the kernels lack).
import type { ModelState } from '../state.js';

export interface DeviceEMRun {
  /** One EM iteration (E-step on the device, M-step into state): the mean log-likelihood before it. */
  iteration(settings: { readonly regCovar: number; readonly smoothing: number }, iteration: number): Promise<number>;
  /** Mean log-likelihood (weighted) of the rows at the current parameters. */
  meanLogLikelihood(iteration: number): Promise<number>;
  destroy(): void;
}

export type DeviceEMFactory = (state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array) => DeviceEMRun | string;

// By name (circuits, mixtures, ...): each answers a run or why it cannot take the model.
const factories = new Map<string, DeviceEMFactory>();
let last: { readonly backend: 'webgpu' | 'cpu'; readonly why?: string } = { backend: 'cpu', why: 'no device enabled' };

/** Sets (or, with undefined, removes) a device EM factory. */
export function registerDeviceEM(name: string, f: DeviceEMFactory | undefined): void {
  if (f) factories.set(name, f);
  else factories.delete(name);
}

/** The first device run a factory offers for this state and rows, or undefined (then `lastDeviceEM` says why). */
export function registeredDeviceRun(state: ModelState, x: Float64Array, n: number, rowWeights: Float64Array): DeviceEMRun | undefined {
  const why: string[] = [];
  for (const f of factories.values()) {
    const r = f(state, x, n, rowWeights);
    if (typeof r !== 'string') {
      last = { backend: 'webgpu' };
      return r;
    }
    why.push(r);
  }
  last = { backend: 'cpu', why: why.length ? why.join('; ') : 'no device enabled' };
  return undefined;
}

/** Where the last full-batch EM fit ran its E-steps, and why not on the device. */
export const lastDeviceEM = (): { readonly backend: 'webgpu' | 'cpu'; readonly why?: string } => last;

/** Before a fit: it reports cpu unless its EM takes the device. */
export function resetDeviceEM(): void {
  last = { backend: 'cpu', why: 'the fit is not full-batch EM driven asynchronously' };
}

/** Another device path (Adam's nets) says where a fit ran, for fitBackend. */
export function noteDeviceFit(l: { readonly backend: 'webgpu' | 'cpu'; readonly why?: string }): void {
  last = l;
}
